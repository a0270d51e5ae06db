// A history entry as a sentence an operator reads ("Republished by ana (retry 2) to its original
// queue billing, with an edited body"). The shapes are the writers' (lib/bus/write-batch.ts,
// lib/bus/republish-outbox.ts settleIntentsDone, lib/bus/park.ts, lib/actions/status-change.ts,
// lib/actions/retry-unreadable.ts, lib/jobs/bulk-batches.ts, lib/jobs/recover-republish-intents.ts);
// an action or a field this module does not know is shown as labelled values, never dropped.
import { actorName, isRecord, labelledFacts, plural, shortId, type Fact } from '@/components/ui/describe-values';

export interface Described {
  sentence: string;
  /** what the sentence does not say, as labelled values */
  facts: Fact[];
  /** a bulk job the entry belongs to (linked by its short id) */
  bulkJobId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The parking queue a "parked" history line names; none for a row the derivation set aside (a
 * version that set rows aside named "(none: kept in the database)" as its queue).
 */
export function parkedQueueOf(details: unknown): string | undefined {
  const q = details && typeof details === 'object' ? str((details as { parkedTo?: unknown }).parkedTo) : undefined;
  return q && !q.startsWith('(none') ? q : undefined;
}
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Where a republish sent the message: { kind, exchange, routingKey } of the intent. */
export function describeTarget(target: unknown): string | null {
  if (!isRecord(target)) return null;
  const rk = str(target.routingKey);
  if (target.kind === 'origin') return rk ? `to its original queue ${rk}` : 'to its original queue';
  const ex = str(target.exchange);
  if (!ex) return rk ? `to queue ${rk} (default exchange)` : 'to the default exchange';
  return rk !== undefined ? `to exchange ${ex} with routing key ${rk}` : `to exchange ${ex}`;
}

/** "death 3" and "after 2 retries" from the drain's count and republishCount. */
function deathClause(d: Record<string, unknown>): string {
  const parts: string[] = [];
  const count = num(d.count);
  if (count !== undefined) parts.push(`death ${count} in this queue`);
  const retries = num(d.republishCount);
  if (retries) parts.push(`after ${plural(retries, 'retry', 'retries')} by EventDesk`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function fromQueue(d: Record<string, unknown>): string {
  const q = str(d.queue);
  const r = str(d.reason);
  return `${q ? ` from ${q}` : ''}${r ? `, reason ${r}` : ''}`;
}

export function describeHistory(entry: { action: string; actor: string; details: unknown }): Described {
  const d = isRecord(entry.details) ? entry.details : {};
  const by = actorName(entry.actor);
  const bulkJobId = str(d.bulkJobId);
  const inJob = bulkJobId ? `, in bulk job ${shortId(bulkJobId)}` : '';
  const rest = (known: string[]) => labelledFacts(entry.details, [...known, 'diff']);
  switch (entry.action) {
    case 'dead-lettered':
      return { sentence: `Dead-lettered by RabbitMQ${fromQueue(d)}${deathClause(d)}`, facts: rest(['queue', 'reason', 'count', 'failedAt', 'republishCount']) };
    case 'failed-again':
      return { sentence: `Dead-lettered again${fromQueue(d)}${deathClause(d)}`, facts: rest(['queue', 'reason', 'count', 'failedAt', 'republishCount']) };
    case 'republished': {
      const n = num(d.republishCount);
      const parts = [`Republished by ${by}${n ? ` (retry ${n})` : ''}`];
      const target = describeTarget(d.target);
      if (target) parts[0] += ` ${target}`;
      if (d.edited === true) parts.push('with an edited body');
      if (d.forced === true) parts.push('forced by an admin');
      if (bulkJobId) parts.push(`in bulk job ${shortId(bulkJobId)}`);
      if (d.settledBy === 'recovery') parts.push('confirmed by recovery after a restart');
      return {
        sentence: parts.join(', '),
        facts: rest(['republishCount', 'target', 'edited', 'forced', 'bulkJobId', 'settledBy', 'intentId']),
        bulkJobId,
      };
    }
    case 'discarded':
      return { sentence: `Discarded by ${by}${str(d.from) ? ` (was ${str(d.from)})` : ''}${inJob}`, facts: rest(['from', 'bulkJobId']), bulkJobId };
    case 'restored':
      return { sentence: `Restored by ${by}${str(d.from) ? ` (was ${str(d.from)})` : ''}`, facts: rest(['from']) };
    case 'retried':
      return {
        sentence: `Read again by ${by} after it was parked as unreadable${str(d.previousId) ? ` (it was record ${shortId(str(d.previousId)!)})` : ''}`,
        facts: rest(['from', 'previousId']),
      };
    case 'parked':
      return {
        sentence: parkedQueueOf(d)
          ? `Parked as unreadable by ${by}, its message copied to ${parkedQueueOf(d)}`
          : `Set aside as unreadable by ${str(d.setAsideBy) ? `the ${str(d.setAsideBy)}` : by}: its message is kept here only`,
        facts: rest(['parkedTo', 'setAsideBy', 'reason']),
      };
    case 'republish-uncertain':
      return { sentence: `Republish outcome unknown: ${by} stopped before the broker confirmed it`, facts: rest([]) };
    default:
      return { sentence: `${entry.action} by ${by}`, facts: rest([]), bulkJobId };
  }
}

'use client';
// The console's first line: is the drain running, how deep is the DLQ, how much is stored,
// when did the last dead letter arrive. From /api/health and the failure-group rollups.
import { Badge, type Tone } from '@/components/ui/badge';
import { formatCount } from '@/components/ui/format';
import { useTimeFormat } from '@/components/ui/preferences';
import type { Health } from '@/components/hooks/use-health';

const stateTone: Record<string, Tone> = { running: 'good', paused: 'warn', stopped: 'neutral', error: 'bad' };

export function StatusStrip({
  health,
  healthError,
  stored,
  pending,
}: {
  health: Health | undefined;
  healthError: boolean;
  stored: number | undefined;
  pending: number | undefined;
}) {
  const drain = health?.drain;
  const { formatAgo, formatTime } = useTimeFormat();
  const state = drain?.state ?? (healthError ? 'unknown' : '…');
  return (
    <div data-testid="status-strip" className="flex flex-wrap items-center gap-x-6 gap-y-1 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm">
      <Stat label="Drain">
        <span data-testid="drain-state">
          <Badge tone={stateTone[state] ?? 'neutral'}>{state}</Badge>
        </span>
      </Stat>
      <Stat label="DLQ depth">
        <span data-testid="dlq-depth">{drain?.dlqDepth === undefined || drain?.dlqDepth === null ? '—' : formatCount(drain.dlqDepth)}</span>
        {typeof drain?.dlqConsumers === 'number' ? <span className="ml-1 text-xs text-slate-500">({drain.dlqConsumers} consumers)</span> : null}
      </Stat>
      <Stat label="Failures" title="Dead-letterings stored (a message that died again counts again); pending: dead letters waiting for an operator">
        <span data-testid="stored-count">{formatCount(stored)}</span>
        {pending !== undefined ? <span className="ml-1 text-xs text-slate-500">({formatCount(pending)} pending)</span> : null}
      </Stat>
      <Stat label="Last drained">
        <span data-testid="last-drained" title={formatTime(drain?.lastDrainedAt)}>
          {formatAgo(drain?.lastDrainedAt)}
        </span>
      </Stat>
      {health?.derivation?.messages ? (
        // the drain stores first and builds the list's records right after; during a burst the
        // list is behind what is safely stored: say by how much
        <Stat label="List" title="Stored by the drain (safe), not yet in this list: records, groups and counts are being built">
          <span data-testid="derivation-lag">
            <Badge tone="warn">
              catching up: {formatCount(health.derivation.messages)} stored, not yet listed ({health.derivation.seconds.toFixed(0)} s)
            </Badge>
          </span>
        </Stat>
      ) : null}
      {health?.search?.backlog ? (
        // the drain stores first and indexes for search a moment later; say so while it catches up
        <Stat label="Search">
          <span data-testid="search-backlog" title={`oldest waiting since ${formatTime(health.search.oldestQueuedAt)}`}>
            <Badge tone="warn">indexing {formatCount(health.search.backlog)}</Badge>
          </span>
        </Stat>
      ) : null}
      <Stat label="Database">
        <Badge tone={health ? (health.database.ok ? 'good' : 'bad') : 'neutral'}>{health ? (health.database.ok ? 'ok' : 'down') : '—'}</Badge>
      </Stat>
      <Stat label="Broker">
        <Badge tone={health?.broker ? (health.broker.ok ? 'good' : 'bad') : 'neutral'}>{health?.broker ? (health.broker.ok ? 'ok' : 'down') : '—'}</Badge>
      </Stat>
    </div>
  );
}

function Stat({ label, title, children }: { label: string; title?: string; children: React.ReactNode }) {
  return (
    <div className="flex items-center gap-1.5" title={title}>
      <span className="text-xs uppercase tracking-wide text-slate-500">{label}</span>
      {children}
    </div>
  );
}

/** What the operator should do about the drain, if anything: shown above the list. */
export function drainAdvice(health: Health | undefined, healthError: boolean): string | null {
  if (healthError) return 'EventDesk’s health check did not answer: is the server running? The list below may be stale.';
  if (!health) return null;
  if (!health.database.ok) return 'The database is unreachable: check DATABASE_URL and that PostgreSQL is running.';
  const d = health.drain;
  if (d?.dlqMissing || /NOT_FOUND|no queue/i.test(d?.lastError ?? '')) {
    return 'DLQ not found: is DECLARE_TOPOLOGY needed? (or check DLQ_QUEUE names the platform’s dead-letter queue)';
  }
  if (health.broker && !health.broker.ok) return 'The broker is unreachable: check AMQP_URL and that RabbitMQ is running. Stored dead letters are still shown.';
  if (d?.state === 'error') return `The drain stopped with an error${d.lastError ? `: ${d.lastError}` : ''}. It retries on its own; see the server log.`;
  return null;
}

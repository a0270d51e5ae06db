// Known AMQP properties and headers as labelled values an operator reads: a timestamp as a time,
// deliveryMode 2 as "persistent", an expiration in ms as a duration, EventDesk's retry count as
// retries, RabbitMQ's x-death as deaths. Unknown keys return null: the table shows their decoded
// value as it is (amqp-display.ts).
import { formatTime } from '@/components/ui/format';
import { isRecord, plural } from '@/components/ui/describe-values';
import { displayValue, untag } from './amqp-display';

export interface LabelledValue {
  label: string;
  text: string;
  /** what the value means, when the label alone does not say */
  note?: string;
}

/** "1 min 30 s" from milliseconds (an expiration, a TTL). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 1000) return `${ms} ms`;
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  const parts: string[] = [];
  let left = Math.floor(ms);
  for (const [size, unit] of units) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)} ${unit}`);
      left %= size;
    } else if (parts.length) break;
  }
  return parts.join(' ');
}

/** The seconds of an AMQP timestamp in the drain's tagged JSON ({"$timestamp": s}), or a number. */
function timestampSeconds(v: unknown): number | null {
  const raw = isRecord(v) && '$timestamp' in v ? v.$timestamp : v;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : null;
}

function timeText(v: unknown): string | null {
  const s = timestampSeconds(v);
  if (s === null) return null;
  const d = new Date(s * 1000);
  return Number.isNaN(d.getTime()) ? null : formatTime(d.toISOString());
}

/** a plain number behind a tagged one ({"$long": "3"}), or null */
function numberOf(v: unknown): number | null {
  const t = displayValue(v).text;
  const n = Number(t);
  return t.trim() !== '' && Number.isFinite(n) ? n : null;
}

const text = (v: unknown) => displayValue(v).text;

const PROPERTY_LABELS: Record<string, string> = {
  contentType: 'Content type',
  contentEncoding: 'Content encoding',
  correlationId: 'Correlation id',
  replyTo: 'Reply to',
  messageId: 'Message id',
  type: 'Message type',
  userId: 'User id (checked by RabbitMQ)',
  appId: 'Sent by app',
  clusterId: 'Cluster id',
};

export function describeProperty(key: string, value: unknown): LabelledValue | null {
  switch (key) {
    case 'deliveryMode': {
      const n = numberOf(value);
      if (n === 2) return { label: 'Delivery mode', text: 'persistent', note: 'written to disk by the broker (2)' };
      if (n === 1) return { label: 'Delivery mode', text: 'transient', note: 'kept in memory only (1)' };
      return { label: 'Delivery mode', text: text(value) };
    }
    case 'priority': {
      const n = numberOf(value);
      return { label: 'Priority', text: n === null ? text(value) : String(n), note: 'higher is delivered first on a priority queue' };
    }
    case 'expiration': {
      const n = numberOf(value);
      return n === null ? { label: 'Expires after', text: text(value) } : { label: 'Expires after', text: formatDuration(n), note: `${n} ms in the queue` };
    }
    case 'timestamp': {
      const t = timeText(value);
      return { label: 'Sent at', text: t ?? text(value), ...(t ? { note: `${timestampSeconds(value)} s since 1970` } : {}) };
    }
    default:
      return key in PROPERTY_LABELS ? { label: PROPERTY_LABELS[key], text: text(value) } : null;
  }
}

/**
 * One x-death entry in words: "rejected in payment-service 3 times, first at …". RabbitMQ keeps
 * an entry's time from its first death and only counts the later ones (measured on 3.10: the
 * time stayed the same from count 1 to 2); it said "last at".
 */
export function describeXDeath(entry: unknown): string {
  const e = isRecord(entry) ? entry : {};
  const count = numberOf(e.count);
  const keys = untag(e['routing-keys']);
  const time = timeText(e.time);
  const parts = [
    `${text(e.reason ?? 'died')} in ${e.queue !== undefined ? text(e.queue) : 'an unknown queue'}${count !== null ? `, ${plural(count, 'time', 'times')}` : ''}`,
    time ? `first at ${time}` : null,
    e.exchange !== undefined ? `from exchange ${text(e.exchange) || '(default)'}` : null,
    Array.isArray(keys) && keys.length ? `routing keys ${keys.map(String).join(', ')}` : null,
  ];
  return parts.filter(Boolean).join(', ');
}

const DEATH_PART: Record<string, string> = { queue: 'queue', reason: 'reason', exchange: 'exchange' };

export function describeHeader(key: string, value: unknown): LabelledValue | null {
  const death = /^x-(first|last)-death-(queue|reason|exchange)$/.exec(key);
  if (death) return { label: `${death[1] === 'first' ? 'First' : 'Last'} death: ${DEATH_PART[death[2]]}`, text: text(value) || '(default)' };
  switch (key) {
    case 'x-death': {
      const entries = untag(value);
      const list = Array.isArray(value) ? value : Array.isArray(entries) ? entries : [];
      return {
        label: 'Deaths (RabbitMQ)',
        text: list.length ? list.map((e) => describeXDeath(isRecord(e) && '$table' in e ? untag(e) : e)).join('\n') : text(value),
        note: 'times RabbitMQ dead-lettered it, per queue and reason, the most recently dead-lettered first; each time is the first there',
      };
    }
    case 'x-eventdesk-republish-count': {
      const n = numberOf(value);
      return {
        label: 'Retries (EventDesk)',
        text: n === null ? text(value) : plural(n, 'retry', 'retries'),
        note: 'times EventDesk republished it',
      };
    }
    case 'x-retry-count': {
      const n = numberOf(value);
      return {
        label: 'Consumer’s own retries',
        text: n === null ? text(value) : plural(n, 'retry', 'retries'),
        note: 'retries the consumer scheduled itself in this cycle, before it gave up: not EventDesk’s retries',
      };
    }
    case 'x-retry-cycle':
      return { label: 'Consumer retry cycle', text: text(value), note: 'the EventDesk retry the consumer’s own retries belong to' };
    case 'x-platform-dead-letter':
      return { label: 'Given up by the consumer', text: `in cycle ${text(value)}`, note: 'the consumer rejected it into the dead-letter queue' };
    case 'x-last-error':
      return { label: 'Last error', text: text(value) };
    case 'x-correlation-id':
      return { label: 'Correlation id', text: text(value) };
    case 'x-original-routing-key':
      return { label: 'Original routing key', text: text(value) };
    case 'traceparent':
      return { label: 'Trace (W3C traceparent)', text: text(value) };
    case 'x-exception-message':
      return { label: 'Exception message', text: text(value) };
    case 'x-exception-type':
      return { label: 'Exception type', text: text(value) };
    default:
      return null;
  }
}

/** A parsed x-death entry (the record's deaths) in words: "rejected in payment-service, 3 times". */
export function describeDeath(d: { queue: string | null; reason: string | null; count: number | null }): string {
  return `${d.reason ?? 'died'} in ${d.queue ?? 'an unknown queue'}${d.count !== null ? `, ${plural(d.count, 'time', 'times')}` : ''}`;
}

/**
 * x-death entries oldest first, for a timeline. The broker lists them newest first, and times
 * are whole seconds: entries of the same second keep the broker's order between them (a later
 * index is older), never an order a sort happens to leave. Entries without a time go first.
 */
export function oldestFirst<T extends { time: string | null }>(deaths: readonly T[]): T[] {
  return deaths
    .map((d, index) => {
      const at = d.time ? Date.parse(d.time) : NaN;
      return { d, index, at: Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at };
    })
    .sort((a, b) => (a.at === b.at ? b.index - a.index : a.at < b.at ? -1 : 1))
    .map((x) => x.d);
}

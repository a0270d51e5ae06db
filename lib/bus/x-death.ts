// Reads where and why a message died from the headers RabbitMQ and common frameworks set.
// x-death is an array of tables, most recent death first: {queue, reason, count (long), exchange,
// routing-keys, time (timestamp)}. RabbitMQ 3.10 also sets x-first-death-queue/-reason/-exchange;
// 3.13+/4.x add x-last-death-queue/-reason/-exchange.
import { cleanText, headerText } from './amqp-values';

/** RabbitMQ's 'rejected' | 'expired' | 'maxlen' | 'delivery_limit', or whatever a broker sends */
export type DeathReason = string;

export interface Death {
  queue: string;
  reason: DeathReason | null;
  count: number;
  exchange: string | null;
  routingKeys: string[];
  /** ISO time of the death, null when the broker did not say */
  time: string | null;
}

export interface DeathSummary {
  /** the consumer queue it died in, '' when the headers carry no death at all */
  queue: string;
  reason: DeathReason | null;
  exchange: string | null;
  routingKey: string | null;
  count: number;
  time: Date | null;
}

type Headers = Record<string, unknown> | null | undefined;

/** The times a death may carry: 1970 to the end of year 9999 (later or BC ones break every reader of the record). */
const EARLIEST_MS = 0;
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * AMQP timestamps arrive as amqplib's {'!':'timestamp', value: seconds}, a Date, or seconds; null
 * when there is none, or when it is outside 1970..9999 (any client can publish any 64-bit value).
 */
export function amqpTime(value: unknown): Date | null {
  let ms: number | null = null;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'bigint') ms = Number(value) * 1000;
  else if (value && typeof value === 'object' && 'value' in value) {
    const v = value.value;
    if (typeof v === 'number' || typeof v === 'bigint') ms = Number(v) * 1000;
  } else if (typeof value === 'string' && value) ms = Date.parse(value);
  return ms !== null && Number.isFinite(ms) && ms >= EARLIEST_MS && ms <= LATEST_MS ? new Date(ms) : null;
}

/** How far ahead of the drain's clock a broker's clock may be before its death time is not believed. */
const CLOCK_SKEW_MS = 24 * 3600_000;

/**
 * When a dead letter failed, for ordering, charts and retention: the broker's death time, unless
 * it lies more than a day after the drain received it (a wrong clock or a forged header: a record
 * dated in the future would head the list and outlive retention); then the time it arrived.
 */
export function deathTime(time: Date | null, receivedAt: Date): Date {
  return time && time.getTime() <= receivedAt.getTime() + CLOCK_SKEW_MS ? time : receivedAt;
}

/** A count a death may carry: a whole number that fits PostgreSQL's int (any client can publish 1e300). */
function boundedCount(n: number): number {
  return Math.min(Math.max(Math.trunc(n), 0), 2 ** 31 - 1);
}

function count(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return boundedCount(value);
  if (typeof value === 'bigint') return boundedCount(Number(value));
  if (value && typeof value === 'object' && 'value' in value) return count(value.value);
  if (typeof value === 'string' && /^\d{1,10}$/.test(value)) return boundedCount(Number(value));
  return 1;
}

/** A header string as a death keeps it: no NUL, no lone surrogate (jsonb refuses both), bounded. */
const deathText = (value: unknown): string | undefined => cleanText(headerText(value), 500) ?? undefined;

export function parseDeaths(headers: Headers): Death[] {
  const raw = headers?.['x-death'];
  if (!Array.isArray(raw)) return [];
  const deaths: Death[] = [];
  for (const entry of raw) {
    if (!entry || typeof entry !== 'object' || ArrayBuffer.isView(entry)) continue;
    const e = entry as Record<string, unknown>;
    const keys = Array.isArray(e['routing-keys']) ? e['routing-keys'] : [];
    deaths.push({
      queue: deathText(e.queue) ?? '',
      reason: deathText(e.reason) ?? null,
      count: count(e.count),
      exchange: deathText(e.exchange) ?? null,
      routingKeys: keys
        .slice(0, 100)
        .map(deathText)
        .filter((k): k is string => k !== undefined),
      time: amqpTime(e.time)?.toISOString() ?? null,
    });
  }
  return deaths;
}

/** The death that sent the message to the DLQ: the newest x-death entry, else x-last-death-*, else x-first-death-*. */
export function summariseDeath(headers: Headers, deaths = parseDeaths(headers)): DeathSummary {
  const h = headers ?? {};
  const newest = deaths[0];
  if (newest) {
    return {
      queue: newest.queue,
      reason: newest.reason,
      exchange: newest.exchange,
      routingKey: newest.routingKeys[0] ?? null,
      count: newest.count,
      time: newest.time ? new Date(newest.time) : null,
    };
  }
  for (const prefix of ['x-last-death-', 'x-first-death-']) {
    const queue = headerText(h[`${prefix}queue`]);
    if (queue !== undefined) {
      return {
        queue,
        reason: headerText(h[`${prefix}reason`]) ?? null,
        exchange: headerText(h[`${prefix}exchange`]) ?? null,
        routingKey: null,
        count: 1,
        time: null,
      };
    }
  }
  return { queue: '', reason: null, exchange: null, routingKey: null, count: 0, time: null };
}

export interface ErrorDetails {
  message: string | null;
  type: string | null;
  stackTrace: string | null;
  /** which convention the details came from */
  source: 'eventdesk' | 'spring' | 'masstransit' | 'nservicebus' | null;
}

const CONVENTIONS: { source: ErrorDetails['source']; message: string; type?: string; stack?: string }[] = [
  { source: 'eventdesk', message: 'x-last-error', type: 'x-last-error-type' },
  { source: 'spring', message: 'x-exception-message', type: 'x-exception-type', stack: 'x-exception-stacktrace' },
  { source: 'masstransit', message: 'MT-Fault-Message', type: 'MT-Fault-ExceptionType', stack: 'MT-Fault-StackTrace' },
  {
    source: 'nservicebus',
    message: 'NServiceBus.ExceptionInfo.Message',
    type: 'NServiceBus.ExceptionInfo.ExceptionType',
    stack: 'NServiceBus.ExceptionInfo.StackTrace',
  },
];

/** Error details a consumer framework left in the headers (the full texts stay in the headers). */
export function readErrorDetails(headers: Headers): ErrorDetails {
  const h = headers ?? {};
  for (const c of CONVENTIONS) {
    const message = headerText(h[c.message])?.trim();
    const stack = c.stack ? headerText(h[c.stack])?.trim() : undefined;
    if (!message && !stack) continue;
    return {
      // A stack trace's first line is usually "Type: message" when the message header is missing.
      message: message || (stack ? stack.split('\n')[0].trim() : null) || null,
      type: (c.type ? headerText(h[c.type])?.trim() : undefined) || null,
      stackTrace: stack || null,
      source: c.source,
    };
  }
  return { message: null, type: null, stackTrace: null, source: null };
}

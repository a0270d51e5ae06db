// Header names the library reads and writes, and the retry bookkeeping kept in them.
// Counters live in our own headers: RabbitMQ 4.x ignores an x-death header a client publishes.
import type { MessagePropertyHeaders } from 'amqplib';

export const HEADER = {
  correlationId: 'x-correlation-id',
  traceparent: 'traceparent',
  /** the error of the last failed attempt; EventDesk shows it as the dead letter's error */
  lastError: 'x-last-error',
  /** retries already scheduled for this event in the current cycle */
  retryCount: 'x-retry-count',
  /** which republish cycle x-retry-count belongs to (see cycleOf) */
  retryCycle: 'x-retry-cycle',
  /** set on the copy a consumer sends itself to be rejected into the DLQ (value: the cycle) */
  deadLetter: 'x-platform-dead-letter',
  /** routing key the event was published with (kept across retry hops) */
  originalRoutingKey: 'x-original-routing-key',
  /** added by EventDesk on every republish from the DLQ (README, Fix and republish) */
  republishCount: 'x-eventdesk-republish-count',
} as const;

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' || typeof v === 'bigint' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A message republished from the DLQ keeps its headers but gets a new republish count; retry
 * bookkeeping written in an earlier cycle is then void, so a republished event gets its retries
 * again and an old dead-letter mark is not obeyed.
 */
export function cycleOf(headers: MessagePropertyHeaders | undefined): number {
  return num(headers?.[HEADER.republishCount]) ?? 0;
}

/**
 * Headers only the library writes (retry bookkeeping, the dead-letter mark): a publisher may not
 * set them, since they decide how often a handler runs and whether an event reaches it at all.
 */
export const RESERVED_HEADERS: readonly string[] = [HEADER.retryCount, HEADER.retryCycle, HEADER.deadLetter, HEADER.originalRoutingKey, HEADER.lastError];

/**
 * Retries already scheduled: a whole number from 0. Anything else (negative, fractional, a
 * decimal string, from a producer that is not this library) counts as none: -1 once named a
 * retry queue that does not exist, and the event was lost.
 */
export function retryCountOf(headers: MessagePropertyHeaders | undefined): number {
  if ((num(headers?.[HEADER.retryCycle]) ?? 0) !== cycleOf(headers)) return 0;
  const n = num(headers?.[HEADER.retryCount]) ?? 0;
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export function isMarkedForDeadLetter(headers: MessagePropertyHeaders | undefined): boolean {
  const mark = headers?.[HEADER.deadLetter];
  return mark !== undefined && num(mark) === cycleOf(headers);
}

export function headerString(headers: MessagePropertyHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

/** Header values must stay small: brokers cap the frame, and errors can carry huge stacks. */
export function truncateError(message: string, max = 2_000): string {
  return message.length > max ? `${message.slice(0, max)}…` : message;
}

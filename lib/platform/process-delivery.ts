// One delivery, start to finish: validate, upcast, claim (idempotency), run the handler under
// its timeout, then ack, schedule a retry, or send the message on its way to the DLQ.
// The original is acked only after its copy (retry or dead-letter hop) is confirmed.
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { EventType } from '@/lib/events/event-types';
import { isKnownEventType } from '@/lib/events/registry';
import { upcastToCurrent } from '@/lib/events/upcast';
import { validateBody } from '@/lib/events/validate';
import { UnpublishableMessage } from './confirm-publish';
import { copyMessageTo, originalRoutingKey } from './copy-message';
import type { EventHandler, EventHandlers, HandlerContext, OutcomeReport } from './handler-types';
import { cycleOf, HEADER, headerString, isMarkedForDeadLetter, retryCountOf, truncateError } from './headers';
import type { IdempotencyStore } from './idempotency';
import type { PlatformMetrics } from './metrics';
import { retryQueueName } from './topology';
import { HandlerTimeoutError, withTimeout } from './timeout';

export interface DeliveryConfig {
  service: string;
  handlers: EventHandlers;
  channel: ConfirmChannel;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  store: IdempotencyStore;
  metrics: PlatformMetrics;
  logger: Logger;
  ownQueues: ReadonlySet<string>;
  onOutcome?: (report: OutcomeReport) => void;
}

/**
 * What a handler threw, as text; never throws itself (a handler that threw Object.create(null),
 * which String() cannot convert, made this throw before the claim was released, and the message
 * was redelivered for ever: found by a probe).
 */
function errorText(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
    return String(err);
  } catch {
    return 'the handler threw a value that cannot be shown as text';
  }
}

/**
 * The event_type label of a delivery's metrics: a known event type, else "unknown". Any other
 * value comes from the message (its body, type or routing key), and each new one would be a new
 * series kept for the life of the process: a stream of made-up types grew the service's memory
 * and its /metrics without bound.
 */
export function metricEventType(eventType: string | undefined): string {
  return eventType !== undefined && isKnownEventType(eventType) ? eventType : 'unknown';
}

/**
 * The idempotency key of an event id: UUIDs are case-insensitive (RFC 9562), so an id sent once
 * in upper case and again in lower case is one event, handled once.
 */
export const claimKey = (eventId: string) => eventId.toLowerCase();

/** Reports an outcome; a throwing callback must not turn a settled delivery into an unsettled one. */
function tell(c: DeliveryConfig, report: OutcomeReport): void {
  try {
    c.onOutcome?.(report);
  } catch (err) {
    c.logger.warn({ err: errorText(err) }, 'onOutcome callback failed');
  }
}

export async function processDelivery(c: DeliveryConfig, msg: ConsumeMessage): Promise<void> {
  const headers = msg.properties.headers ?? {};
  const retries = retryCountOf(headers);
  const attempt = retries + 1;

  // Our own copy, sent back here so that RabbitMQ dead-letters it (x-death records this queue).
  if (isMarkedForDeadLetter(headers)) {
    c.channel.nack(msg, false, false);
    const eventType = headerString(headers, HEADER.originalRoutingKey) ?? msg.fields.routingKey;
    c.metrics.deadLettered.inc({ event_type: metricEventType(eventType), service: c.service });
    tell(c, {
      service: c.service,
      outcome: 'dead-lettered',
      eventId: msg.properties.messageId,
      eventType,
      attempt,
      reason: headerString(headers, HEADER.lastError),
    });
    return;
  }

  const validation = validateBody(msg.content, msg.properties.contentType);
  const eventId = validation.eventId ?? msg.properties.messageId;
  const eventType = validation.eventType ?? msg.properties.type ?? msg.fields.routingKey;
  const correlationId = headerString(headers, HEADER.correlationId) ?? msg.properties.correlationId ?? validation.correlationId ?? eventId ?? 'none';
  const log = c.logger.child({ eventId, eventType, correlationId, attempt });
  const labels = { event_type: metricEventType(eventType), service: c.service };
  const routingKey = originalRoutingKey(msg, validation.eventType);
  const report = (outcome: OutcomeReport['outcome'], reason?: string) => tell(c, { service: c.service, outcome, eventId, eventType, attempt, reason });

  /**
   * Copies the message into one of the service's queues (a retry queue, or the service queue to
   * be rejected into the DLQ), then acks the original. A message no copy can be made of (headers
   * past amqplib's 64 KB, a routing key over 255 characters, a header value it cannot write
   * back) is rejected as it is instead, so RabbitMQ dead-letters it itself (x-death, without
   * x-last-error): retried, it would loop for ever, its handler run each time (found by a probe).
   */
  const copyThenAck = async (queue: string, extra: Record<string, unknown>, failure?: string): Promise<boolean> => {
    try {
      await copyMessageTo(c.channel, msg, queue, routingKey, c.ownQueues, extra);
    } catch (err) {
      if (!(err instanceof UnpublishableMessage)) throw err;
      const reason = failure ? `${failure}; ${err.message}` : err.message;
      log.error({ err: err.message, failure }, 'no copy of this message can be sent: rejected into the DLQ as it is');
      c.channel.nack(msg, false, false);
      c.metrics.deadLettered.inc(labels);
      report('dead-lettered', truncateError(reason));
      return false;
    }
    c.channel.ack(msg);
    return true;
  };

  /** Sends the message on its way to the DLQ: copied to the service queue marked, to be rejected there. */
  const toDlq = (reason: string) => copyThenAck(c.service, { [HEADER.lastError]: truncateError(reason), [HEADER.deadLetter]: cycleOf(headers) }, reason);

  /** A message that cannot be handled at all (no handler run, so no error counted yet). */
  const deadLetter = async (reason: string) => {
    log.warn({ reason }, 'sending to the DLQ');
    c.metrics.errors.inc(labels);
    await toDlq(reason);
  };

  // A broken contract never gets better by retrying: straight to the DLQ.
  if (validation.status !== 'valid') {
    const detail = validation.violations.map((v) => `${v.path}: ${v.message}`).join('; ');
    return deadLetter(`contract violation (${validation.status}): ${detail}`);
  }
  const handler = c.handlers[eventType as EventType] as EventHandler<EventType> | undefined;
  if (!handler) return deadLetter(`no handler for ${eventType} in ${c.service}`);
  let event: unknown;
  try {
    event = upcastToCurrent(validation.event as { eventType: string; version: string });
  } catch (err) {
    return deadLetter(`cannot upcast ${eventType} ${validation.version}: ${errorText(err)}`);
  }

  let claim: Awaited<ReturnType<IdempotencyStore['claim']>>;
  // (taken before the claim: its lease ends no earlier than claimedAt + 2 x the timeout)
  const claimedAt = Date.now();
  try {
    claim = await c.store.claim(c.service, claimKey(eventId), c.timeoutMs * 2);
  } catch (err) {
    // The store is down: not the event's fault, so it costs no retry; look again later.
    log.warn({ err: errorText(err) }, 'idempotency store unavailable; deferring');
    claim = 'busy';
  }
  if (claim === 'done') {
    log.info('already handled; skipping the duplicate');
    c.channel.ack(msg);
    report('duplicate');
    return;
  }
  if (claim === 'busy') {
    // Another delivery is running it right now: look again after the first retry delay.
    log.info('claimed elsewhere or store unavailable; deferring');
    if (c.retryDelaysMs.length === 0) {
      c.channel.nack(msg, false, true);
      return;
    }
    // (a message no copy can be made of throws here: subscribe gives it back after a pause, so it
    // waits out the other delivery a second at a time, never in a tight loop)
    await copyMessageTo(c.channel, msg, retryQueueName(c.service, Math.min(...c.retryDelaysMs)), routingKey, c.ownQueues, {});
    c.channel.ack(msg);
    return;
  }

  const context: Omit<HandlerContext, 'signal'> = {
    service: c.service,
    eventType: eventType as EventType,
    correlationId,
    traceparent: headerString(headers, HEADER.traceparent),
    attempt,
    publishedVersion: validation.version!,
    logger: log,
    headers,
  };
  const releaseClaim = () => c.store.release(c.service, claimKey(eventId)).catch((e) => log.error({ err: errorText(e) }, 'cannot release the claim'));
  const stopTimer = c.metrics.duration.startTimer(labels);
  try {
    await withTimeout(c.timeoutMs, (signal) => handler(event as never, { ...context, signal }));
  } catch (err) {
    stopTimer();
    const reason = truncateError(errorText(err));
    c.metrics.errors.inc(labels);
    if (err instanceof HandlerTimeoutError) {
      // the handler runs on past its deadline (it cannot be killed): the event stays claimed until
      // it really ends, so a retry meanwhile waits (claim busy) instead of running beside it
      // (released at the deadline, both ran at once: found by a probe). Released then, whatever
      // it did: a timeout is a failure, and a handler that resolves once aborted may have done
      // nothing; one that ignores its signal and succeeds late is run again by the retry.
      // Past the lease a retry may hold the claim now: the late end leaves it alone (its release
      // deleted the retry's claim, and the retry's success then recorded nothing).
      const late = () => (Date.now() - claimedAt < c.timeoutMs * 2 ? releaseClaim() : undefined);
      void err.work.then(late, late);
    } else await releaseClaim();
    if (retries < c.retryDelaysMs.length) {
      log.warn({ err: reason, retryInMs: c.retryDelaysMs[retries] }, 'handler failed; retrying later');
      const copied = await copyThenAck(
        retryQueueName(c.service, c.retryDelaysMs[retries]),
        { [HEADER.lastError]: reason, [HEADER.retryCount]: retries + 1, [HEADER.retryCycle]: cycleOf(headers) },
        reason,
      );
      if (copied) report('retried', reason);
      return;
    }
    log.error({ err: reason, retries }, 'handler failed after the last retry');
    await toDlq(reason);
    return;
  }
  stopTimer();
  await c.store.complete(c.service, claimKey(eventId)).catch((e) => log.error({ err: errorText(e) }, 'cannot record the event as handled'));
  c.channel.ack(msg);
  c.metrics.consumed.inc(labels);
  log.info('event handled');
  report('handled');
}

// EventPublisher: validates an event against its contract, then publishes it to the events
// exchange (routing key = eventType) persistently and waits for the broker's confirm.
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, Options } from 'amqplib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Violation } from '@/lib/events/registry';
import { validateEvent } from '@/lib/events/validate';
import { isReconnecting, type PlatformConnection } from './connection';
import { HEADER, RESERVED_HEADERS } from './headers';
import { platformLogger } from './logger';
import { platformMetrics, type PlatformMetrics } from './metrics';
import { confirmPublish } from './confirm-publish';
import { currentTraceparent, isTraceparent } from './traceparent';

export class EventValidationError extends Error {
  constructor(
    public readonly status: string,
    public readonly violations: Violation[],
  ) {
    super(`event refused (${status}): ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`);
    this.name = 'EventValidationError';
  }
}

export interface EventPublisherOptions {
  /** a reconnecting connection (lib/platform/connection.ts) lets publishes continue on the next connection after a drop */
  connection: PlatformConnection;
  exchange: string;
  /**
   * the publishing service (metrics label; default: the event's `source`, the first
   * MAX_SOURCE_LABELS of them, then "other")
   */
  service?: string;
  logger?: Logger;
  metrics?: PlatformMetrics | Registry;
}

export interface PublishOptions {
  /** default: the event's own correlation id if it carries one, else a new uuid */
  correlationId?: string;
  /** W3C traceparent; default: the active span's, else a new trace */
  traceparent?: string;
  headers?: Record<string, unknown>;
  /** per-message TTL in ms (RabbitMQ dead-letters it with reason expired) */
  expirationMs?: number;
}

export interface PublishedEvent {
  eventId: string;
  eventType: string;
  correlationId: string;
}

export function resolveMetrics(m: PlatformMetrics | Registry | undefined): PlatformMetrics {
  return m && 'published' in m ? m : platformMetrics(m);
}

/** Sources a publisher without `service` labels its metrics with before it says "other". */
export const MAX_SOURCE_LABELS = 20;

export class EventPublisher {
  /** the sources labelled so far (no `service` given): each new one would be a new series for the life of the process */
  private readonly sourceLabels = new Set<string>();
  private channel: Promise<ConfirmChannel> | null = null;
  private readonly log: Logger;
  private readonly metrics: PlatformMetrics;

  constructor(private readonly options: EventPublisherOptions) {
    this.log = (options.logger ?? platformLogger).child({ component: 'event-publisher', exchange: options.exchange });
    this.metrics = resolveMetrics(options.metrics);
  }

  /** Validates and publishes; rejects with EventValidationError (nothing sent) or a broker error. */
  async publish(event: unknown, options: PublishOptions = {}): Promise<PublishedEvent> {
    // what is checked is what is sent: the event as JSON (a toJSON method, a getter, would
    // otherwise put other bytes on the bus than the contract saw)
    let text: string | undefined;
    try {
      text = JSON.stringify(event);
    } catch (err) {
      // a BigInt, a cycle: refused as any event that breaks its contract, nothing sent
      throw new EventValidationError('invalid', [{ path: '$', message: `cannot be written as JSON: ${(err as Error).message}` }]);
    }
    const sent: unknown = text === undefined ? undefined : JSON.parse(text);
    const result = validateEvent(sent);
    if (result.status !== 'valid') throw new EventValidationError(result.status, result.violations);
    const eventId = result.eventId!;
    const eventType = result.eventType!;
    const correlationId = options.correlationId ?? result.correlationId ?? randomUUID();
    const traceparent = isTraceparent(options.traceparent) ? options.traceparent : currentTraceparent();
    const reserved = Object.keys(options.headers ?? {}).filter((h) => RESERVED_HEADERS.includes(h.toLowerCase()));
    if (reserved.length) throw new RangeError(`header ${reserved.join(', ')} is the event library's own (retries, dead-lettering): a publisher cannot set it`);
    const source = (sent as { source: string }).source;
    const publishOptions: Options.Publish = {
      persistent: true,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      messageId: eventId,
      correlationId,
      type: eventType,
      appId: this.options.service ?? source,
      timestamp: Math.floor(Date.now() / 1000),
      headers: { ...options.headers, [HEADER.correlationId]: correlationId, [HEADER.traceparent]: traceparent },
    };
    if (options.expirationMs !== undefined) publishOptions.expiration = String(options.expirationMs);
    const channel = await this.confirmChannel();
    await confirmPublish(channel, this.options.exchange, eventType, Buffer.from(text), publishOptions);
    this.metrics.published.inc({ event_type: eventType, service: this.serviceLabel(source) });
    this.log.debug({ eventId, eventType, correlationId }, 'event published');
    return { eventId, eventType, correlationId };
  }

  private serviceLabel(source: string): string {
    if (this.options.service !== undefined) return this.options.service;
    if (this.sourceLabels.has(source)) return source;
    if (this.sourceLabels.size >= MAX_SOURCE_LABELS) return 'other';
    this.sourceLabels.add(source);
    return source;
  }

  async close(): Promise<void> {
    const ch = this.channel;
    this.channel = null;
    // closing: a channel that never opened or is already closed leaves nothing to close
    if (ch) await (await ch.catch(() => null))?.close().catch(() => null);
  }

  private confirmChannel(): Promise<ConfirmChannel> {
    if (!this.channel) {
      const c = this.options.connection;
      const opening = (isReconnecting(c) ? c.waitConnected() : Promise.resolve(c)).then((conn) => conn.createConfirmChannel());
      this.channel = opening;
      opening
        .then((ch) => {
          ch.on('error', (err: Error) => this.log.warn({ err: err.message }, 'publisher channel error'));
          // A closed channel is reopened by the next publish.
          ch.on('close', () => {
            if (this.channel === opening) this.channel = null;
          });
        })
        .catch(() => {
          if (this.channel === opening) this.channel = null;
        });
    }
    return this.channel;
  }
}

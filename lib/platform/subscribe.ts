// subscribe(service, handlers, options): declares the service's queue (bound to the event types
// it handles, dead-lettering into the DLQ) and its retry queues, then consumes with manual acks.
// Given a reconnecting connection (lib/platform/connection.ts) it subscribes again on every reconnect (unacked deliveries of
// the lost connection are redelivered by the broker; idempotency keeps them from running twice).
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isReconnecting, type PlatformConnection, type Reconnecting } from './connection';
import type { EventHandlers, OutcomeReport } from './handler-types';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency';
import { platformLogger } from './logger';
import type { PlatformMetrics } from './metrics';
import { processDelivery, type DeliveryConfig } from './process-delivery';
import { resolveMetrics } from './publisher';
import { deadLetterExchangeName, declareServiceQueues, dlqOptions, DEFAULT_RETRY_DELAYS_MS, retryQueueNames, type QueueType } from './topology';

export interface SubscribeOptions {
  connection: PlatformConnection;
  /** the events exchange (topic) */
  exchange: string;
  /** where the service queue dead-letters; default `<exchange>.dlx` (declarePlatformTopology) */
  deadLetterExchange?: string;
  /**
   * the DLQ, declared and bound to the dead-letter exchange here (as declarePlatformTopology
   * does). Without it the topology must have bound one: RabbitMQ drops what a dead-letter exchange
   * with no queue bound gets, so a subscription that finds no `<exchange>.dlq` says so in its log.
   */
  dlq?: string;
  /** one retry per delay; default 1 s, 4 s, 16 s (3 retries) */
  retryDelaysMs?: readonly number[];
  /** a handler running longer fails; default 30 s */
  timeoutMs?: number;
  /** default: in memory, per subscription */
  idempotency?: IdempotencyStore;
  /** unacked deliveries handled at once; default 10 */
  prefetch?: number;
  /** x-max-length of the service queue; must match how the topology declared it */
  maxLength?: number;
  /** the type of the service and retry queues (default classic); must match the topology too */
  queueType?: QueueType;
  logger?: Logger;
  metrics?: PlatformMetrics | Registry;
  onOutcome?: (report: OutcomeReport) => void;
}

export interface Subscription {
  readonly service: string;
  readonly queue: string;
  /** the service queue and its retry queues */
  readonly queues: string[];
  /** deliveries being processed now */
  readonly inFlight: number;
  /** stops consuming (the queue keeps filling) and waits for deliveries in progress */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function subscribe(service: string, handlers: EventHandlers, options: SubscribeOptions): Promise<Subscription> {
  const c = options.connection;
  // One store for the subscription's life: after a reconnect the broker redelivers what was
  // handled but not yet acked, and only the store remembers it was handled.
  const withStore = { ...options, idempotency: options.idempotency ?? new MemoryIdempotencyStore() };
  if (isReconnecting(c)) return subscribeReconnecting(c, service, handlers, withStore);
  return subscribeOnce(c, service, handlers, withStore);
}

async function subscribeReconnecting(rc: Reconnecting, service: string, handlers: EventHandlers, options: SubscribeOptions): Promise<Subscription> {
  let current: Subscription | null = null;
  let paused = false;
  let closed = false;
  await rc.onConnect(async (connection) => {
    if (closed) return;
    current = await subscribeOnce(connection, service, handlers, options);
    if (paused) await current.pause();
  });
  return {
    service,
    queue: service,
    queues: [service, ...retryQueueNames(service, options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)],
    get inFlight() {
      return current?.inFlight ?? 0;
    },
    async pause() {
      paused = true;
      await current?.pause();
    },
    async resume() {
      paused = false;
      await current?.resume();
    },
    async close() {
      closed = true;
      await current?.close();
    },
  };
}

async function subscribeOnce(connection: ChannelModel, service: string, handlers: EventHandlers, options: SubscribeOptions): Promise<Subscription> {
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const logger = (options.logger ?? platformLogger).child({ component: 'platform-consumer', service });
  const eventTypes = Object.keys(handlers);
  const channel = await connection.createConfirmChannel();
  channel.on('error', (err: Error) => logger.error({ err: err.message }, 'consumer channel error'));
  let closed = false;
  channel.on('close', () => {
    closed = true;
  });

  await channel.assertExchange(options.exchange, 'topic', { durable: true });
  const dlx = options.deadLetterExchange ?? deadLetterExchangeName(options.exchange);
  await channel.assertExchange(dlx, 'fanout', { durable: true });
  if (options.dlq) {
    // declared only when missing: one that exists (the topology's, another type or TTL) is bound
    // as it is, where asserting it with other arguments failed the subscription
    if (!(await queueExists(connection, options.dlq))) await channel.assertQueue(options.dlq, dlqOptions(options.queueType));
    await channel.bindQueue(options.dlq, dlx, '');
  } else if (!(await queueExists(connection, `${options.exchange}.dlq`)))
    logger.error(
      { dlq: `${options.exchange}.dlq`, deadLetterExchange: dlx },
      "no DLQ named <exchange>.dlq: unless the topology bound another queue to the dead-letter exchange, RabbitMQ drops this service's dead letters (pass `dlq` to subscribe, or declarePlatformTopology first)",
    );
  await declareServiceQueues(channel, service, {
    exchange: options.exchange,
    deadLetterExchange: dlx,
    eventTypes,
    retryDelaysMs,
    maxLength: options.maxLength,
    queueType: options.queueType,
  });
  await channel.prefetch(options.prefetch ?? 10);

  const config: DeliveryConfig = {
    service,
    handlers,
    channel,
    retryDelaysMs,
    timeoutMs: options.timeoutMs ?? 30_000,
    store: options.idempotency ?? new MemoryIdempotencyStore(),
    metrics: resolveMetrics(options.metrics),
    logger,
    ownQueues: new Set([service, ...retryQueueNames(service, retryDelaysMs)]),
    onOutcome: options.onOutcome,
  };

  let inFlight = 0;
  let idle: (() => void)[] = [];
  let consumerTag: string | null = null;

  const onMessage = (msg: ConsumeMessage | null) => {
    if (!msg) {
      logger.warn('consumer cancelled by the broker (queue deleted?)');
      consumerTag = null;
      return;
    }
    inFlight++;
    processDelivery(config, msg)
      .catch(async (err: Error) => {
        // Not settled (the broker refused a copy, the channel is closing...). Give it back after
        // a pause, so a persistent fault neither spins nor holds a prefetch slot for ever.
        logger.error({ err: err.message, messageId: msg.properties.messageId }, 'delivery not settled; requeueing');
        await new Promise((r) => setTimeout(r, 1_000));
        if (!closed) {
          try {
            channel.nack(msg, false, true);
          } catch {
            // channel gone: the broker requeues it by itself
          }
        }
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) {
          for (const resolve of idle) resolve();
          idle = [];
        }
      });
  };

  const waitIdle = () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r)));

  const start = async () => {
    if (consumerTag || closed) return;
    consumerTag = (await channel.consume(service, onMessage, { noAck: false })).consumerTag;
    logger.info({ eventTypes }, 'consuming');
  };

  const pause = async () => {
    const tag = consumerTag;
    consumerTag = null;
    if (tag && !closed) await channel.cancel(tag);
    await waitIdle();
  };

  await start();
  return {
    service,
    queue: service,
    queues: [...config.ownQueues],
    get inFlight() {
      return inFlight;
    },
    pause,
    resume: start,
    async close() {
      // closing: a consumer or channel the broker already ended leaves nothing to stop
      await pause().catch(() => null);
      if (!closed) await channel.close().catch(() => null);
    },
  };
}

/**
 * Whether a queue exists: a passive check on a channel of its own, which a missing queue closes.
 * (Without a `dlq`, a subscription on an exchange whose topology was never declared counted its
 * dead letters while RabbitMQ dropped them: found by a probe. A DLQ of another name, bound by the
 * topology, is fine and only looks missing.) A channel that cannot open counts as existing.
 */
async function queueExists(connection: ChannelModel, queue: string): Promise<boolean> {
  const probe = await connection.createChannel().catch(() => null);
  if (!probe) return true;
  probe.on('error', () => {
    /* a missing queue closes this channel: that is the answer */
  });
  try {
    await probe.checkQueue(queue);
    await probe.close().catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

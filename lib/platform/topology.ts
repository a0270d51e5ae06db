// EduPlatform's topology (README, Event library): a topic exchange, one durable queue per consumer service
// bound to its event types and dead-lettering into the DLQ through `<exchange>.dlx` (fanout, so
// every routing key lands there), and per service one TTL queue per retry delay whose expired
// messages dead-letter back into the service queue. Names are parameters so tests stay apart.
import type { Channel, Options } from 'amqplib';
import { PLATFORM_CONSUMERS, type ServiceSpec } from './consumers';

export const DLQ_TTL_MS = 604_800_000;

/**
 * classic (default) or quorum: every queue of the platform (service queues, retry queues, the DLQ)
 * is declared with this type. Quorum queues (RabbitMQ 3.10+ here) take x-message-ttl, per-message
 * TTL and x-max-length with drop-head (their default overflow; maxlen dead-letters as for classic);
 * they must be durable and cannot be exclusive or auto-delete.
 */
export type QueueType = 'classic' | 'quorum';

function typed(args: Record<string, unknown>, queueType: QueueType | undefined): Record<string, unknown> {
  return queueType === 'quorum' ? { 'x-queue-type': 'quorum', ...args } : args;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000, 16_000];

export function deadLetterExchangeName(exchange: string): string {
  return `${exchange}.dlx`;
}

/**
 * Retry queues are named after their delay (`payment-service.retry.4s`): the name says what it
 * does in x-death, and changing the delays declares new queues instead of failing with
 * PRECONDITION_FAILED on the old ones' x-message-ttl.
 */
export function retryQueueName(service: string, delayMs: number): string {
  const delay = delayMs % 1000 === 0 ? `${delayMs / 1000}s` : `${delayMs}ms`;
  return `${service}.retry.${delay}`;
}

/** The distinct retry queues of a service for these delays, shortest first. */
export function retryQueueNames(service: string, delaysMs: readonly number[]): string[] {
  return [...new Set([...delaysMs].sort((a, b) => a - b).map((d) => retryQueueName(service, d)))];
}

/** The arguments of a service queue; subscribe() and the topology must agree (else PRECONDITION_FAILED). */
export function serviceQueueOptions(deadLetterExchange: string, maxLength?: number, queueType?: QueueType): Options.AssertQueue {
  const args: Record<string, unknown> = { 'x-dead-letter-exchange': deadLetterExchange };
  if (maxLength !== undefined) args['x-max-length'] = maxLength;
  return { durable: true, arguments: typed(args, queueType) };
}

export function retryQueueOptions(service: string, delayMs: number, queueType?: QueueType): Options.AssertQueue {
  return {
    durable: true,
    arguments: typed(
      {
        'x-message-ttl': delayMs,
        // back into the service queue through the default exchange
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': service,
      },
      queueType,
    ),
  };
}

/** The DLQ's arguments: the same as EventDesk's own DECLARE_TOPOLOGY (lib/bus/dlq-topology.ts, DLQ_QUEUE_TYPE). */
export function dlqOptions(queueType?: QueueType): Options.AssertQueue {
  return { durable: true, arguments: typed({ 'x-message-ttl': DLQ_TTL_MS }, queueType) };
}

export interface ServiceTopologyOptions {
  exchange: string;
  deadLetterExchange: string;
  eventTypes: string[];
  retryDelaysMs: readonly number[];
  maxLength?: number;
  queueType?: QueueType;
}

/** Declares one service's queue, bindings and retry queues (idempotent). */
export async function declareServiceQueues(channel: Channel, service: string, o: ServiceTopologyOptions): Promise<void> {
  await channel.assertQueue(service, serviceQueueOptions(o.deadLetterExchange, o.maxLength, o.queueType));
  for (const type of o.eventTypes) await channel.bindQueue(service, o.exchange, type);
  for (const delay of new Set(o.retryDelaysMs)) {
    await channel.assertQueue(retryQueueName(service, delay), retryQueueOptions(service, delay, o.queueType));
  }
}

export interface PlatformTopologyOptions {
  exchange: string;
  dlq: string;
  /** defaults to the spec's consumers */
  services?: readonly ServiceSpec[];
  retryDelaysMs?: readonly number[];
  /** every queue's type; default classic */
  queueType?: QueueType;
}

export interface PlatformTopology {
  exchange: string;
  deadLetterExchange: string;
  dlq: string;
  queues: string[];
}

/** Declares the whole topology as the platform would; returns every queue name it declared. */
export async function declarePlatformTopology(channel: Channel, options: PlatformTopologyOptions): Promise<PlatformTopology> {
  const { exchange, dlq } = options;
  const dlx = deadLetterExchangeName(exchange);
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertExchange(dlx, 'fanout', { durable: true });
  await channel.assertQueue(dlq, dlqOptions(options.queueType));
  await channel.bindQueue(dlq, dlx, '');
  const queues = [dlq];
  for (const s of options.services ?? PLATFORM_CONSUMERS) {
    await declareServiceQueues(channel, s.name, {
      exchange,
      deadLetterExchange: dlx,
      eventTypes: s.eventTypes,
      retryDelaysMs,
      maxLength: s.maxLength,
      queueType: options.queueType,
    });
    queues.push(s.name, ...retryQueueNames(s.name, retryDelaysMs));
  }
  return { exchange, deadLetterExchange: dlx, dlq, queues };
}

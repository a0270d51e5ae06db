// Shared set-up of the platform-* tests: a unique exchange, DLX and DLQ, unique service names,
// and helpers to wait for and read messages. Everything created is tracked and deleted.
import { randomUUID } from 'node:crypto';
import type { GetMessage } from 'amqplib';
import pino from 'pino';
import { Registry } from 'prom-client';
import { currentContract, contractFor } from '@/lib/events/registry';
import { EventPublisher } from '@/lib/platform/publisher';
import { declarePlatformTopology, deadLetterExchangeName, DEFAULT_RETRY_DELAYS_MS, retryQueueNames } from '@/lib/platform/topology';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';

export const silent = pino({ level: 'silent' });

export interface PlatformFixture {
  broker: TestBroker;
  exchange: string;
  dlq: string;
  registry: Registry;
  publisher: EventPublisher;
  /** a unique service name whose queue and retry queues (for these delays) get deleted afterwards */
  service(label: string, retryDelaysMs?: readonly number[]): string;
  cleanup(): Promise<void>;
}

export async function platformFixture(): Promise<PlatformFixture> {
  const broker = await createTestBroker();
  const exchange = uniqueName('plat.x');
  const dlq = uniqueName('plat.dlq');
  broker.track('exchange', exchange);
  broker.track('exchange', deadLetterExchangeName(exchange));
  broker.track('queue', dlq);
  await declarePlatformTopology(broker.channel, { exchange, dlq, services: [] });
  const registry = new Registry();
  const publisher = new EventPublisher({ connection: broker.connection, exchange, service: 'test-producer', logger: silent, metrics: registry });
  return {
    broker,
    exchange,
    dlq,
    registry,
    publisher,
    service(label, retryDelaysMs = DEFAULT_RETRY_DELAYS_MS) {
      const name = uniqueName(label);
      broker.track('queue', name);
      for (const q of retryQueueNames(name, retryDelaysMs)) broker.track('queue', q);
      return name;
    },
    async cleanup() {
      await publisher.close();
      await broker.cleanup();
    },
  };
}

/** A fresh valid event of the type's current version (new eventId). */
export function makeEvent(type: string, version?: string): Record<string, unknown> {
  const contract = version ? contractFor(type, version)! : currentContract(type)!;
  return { ...structuredClone(contract.example), eventId: randomUUID(), timestamp: new Date().toISOString() };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function depth(broker: TestBroker, queue: string): Promise<number> {
  return (await broker.channel.checkQueue(queue)).messageCount;
}

/** Takes every message currently in a queue (acked). */
export async function drainQueue(broker: TestBroker, queue: string): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  for (;;) {
    const m = await broker.channel.get(queue, { noAck: true });
    if (!m) return out;
    out.push(m);
  }
}

export interface DeathEntry {
  queue: string;
  reason: string;
  count: number;
  'routing-keys': string[];
}

export function deaths(m: GetMessage): DeathEntry[] {
  return ((m.properties.headers?.['x-death'] ?? []) as DeathEntry[]).map((d) => ({
    queue: String(d.queue),
    reason: String(d.reason),
    count: Number(d.count),
    'routing-keys': (d['routing-keys'] ?? []).map(String),
  }));
}

/** Publishes raw bytes to the exchange, bypassing the publisher's validation. */
export async function publishRaw(f: PlatformFixture, routingKey: string, body: Buffer, options: Record<string, unknown> = {}): Promise<void> {
  const ch = await f.broker.connection.createConfirmChannel();
  try {
    ch.publish(f.exchange, routingKey, body, { persistent: true, ...options });
    await ch.waitForConfirms();
  } finally {
    await ch.close();
  }
}

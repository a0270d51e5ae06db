// Each test declares its own exchanges and queues under unique names and deletes exactly those.
import { randomBytes } from 'node:crypto';
import '@/lib/bus/amqp-safe-decoder';
import amqp, { type Channel, type ChannelModel, type Options } from 'amqplib';
import { ignoreCleanupError } from './cleanup';

export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export function uniqueName(prefix: string): string {
  return `test.${prefix}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export interface TestBroker {
  url: string;
  connection: ChannelModel;
  channel: Channel;
  /** declares a queue and remembers to delete it */
  queue(name: string, options?: Options.AssertQueue): Promise<string>;
  exchange(name: string, type: string, options?: Options.AssertExchange): Promise<string>;
  /** remember a queue/exchange that code under test declared */
  track(kind: 'queue' | 'exchange', name: string): void;
  cleanup(): Promise<void>;
}

export async function createTestBroker(): Promise<TestBroker> {
  const connection = await amqp.connect(TEST_AMQP_URL);
  const channel = await connection.createChannel();
  const queues = new Set<string>();
  const exchanges = new Set<string>();
  return {
    url: TEST_AMQP_URL,
    connection,
    channel,
    async queue(name, options) {
      queues.add(name);
      await channel.assertQueue(name, { durable: true, ...options });
      return name;
    },
    async exchange(name, type, options) {
      exchanges.add(name);
      await channel.assertExchange(name, type, { durable: true, ...options });
      return name;
    },
    track(kind, name) {
      (kind === 'queue' ? queues : exchanges).add(name);
    },
    async cleanup() {
      // A fresh channel: the test's own may have been closed by a channel error.
      const conn = await amqp.connect(TEST_AMQP_URL);
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      for (const q of queues) await ch.deleteQueue(q).catch(ignoreCleanupError);
      for (const e of exchanges) await ch.deleteExchange(e).catch(ignoreCleanupError);
      await conn.close().catch(ignoreCleanupError);
      await connection.close().catch(ignoreCleanupError);
    },
  };
}

// A consumer that keeps failing, wired as on the platform: its queue dead-letters (DLX) into a
// test DLQ, a consumer rejects (nack, requeue false) every message it gets, and the real drainer
// drains that DLQ into the test database. A message republished to the queue therefore dies
// again and comes back through the drain, as in production.
import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import { Drainer } from '@/lib/bus/drainer';
import { uniqueName, type TestBroker } from '../helpers/amqp';
import { ignoreCleanupError } from '../helpers/cleanup';
import { dlqTopology, testLogger } from './drain-helpers';
import { userCreated } from './republish-fixtures';

export interface FailingConsumer {
  /** the consumer queue (the records' queue, and the origin a republish goes back to) */
  queue: string;
  dlq: string;
  /** deliveries the consumer rejected */
  rejected: () => number;
  /** publishes `n` valid user.created events to the queue; returns their event ids */
  publish(n: number): Promise<string[]>;
  stop(): Promise<void>;
}

export async function failingConsumer(broker: TestBroker, databaseUrl: string, label: string): Promise<FailingConsumer> {
  const { dlx, dlq } = await dlqTopology(broker, label);
  const queue = await broker.queue(uniqueName(`${label}.consumer`), { arguments: { 'x-dead-letter-exchange': dlx } });
  const drainer = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl, batchSize: 50, lingerMs: 10, logger: testLogger });
  await drainer.start();

  const ch: Channel = await broker.connection.createChannel();
  await ch.prefetch(50);
  let rejected = 0;
  await ch.consume(queue, (m) => {
    if (!m) return;
    rejected++;
    ch.nack(m, false, false); // the consumer fails on it: to the DLX, the broker adds x-death
  });

  return {
    queue,
    dlq,
    rejected: () => rejected,
    async publish(n) {
      const pub = await broker.connection.createConfirmChannel();
      const ids = Array.from({ length: n }, () => randomUUID());
      for (const id of ids) {
        pub.sendToQueue(queue, Buffer.from(JSON.stringify(userCreated(id))), {
          messageId: id,
          contentType: 'application/json',
          persistent: true,
          headers: { 'x-exception-message': 'UserProfileException: profile service unavailable' },
        });
      }
      await pub.waitForConfirms();
      await pub.close();
      return ids;
    },
    async stop() {
      await ch.close().catch(ignoreCleanupError);
      await drainer.stop();
    },
  };
}

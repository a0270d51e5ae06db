// What the republish publisher says about messages whose confirms never came: the connection went
// away with a batch still being confirmed, so each may or may not have been routed. They must be
// 'unknown' (left for the ledger to decide), never 'nacked' (which closes the intent as failed and
// lets a later retry send a message the broker may already have delivered).
import { randomUUID } from 'node:crypto';
import type { ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepublishPublisher, type OutgoingMessage } from '@/lib/bus/republish-publisher';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { testLogger } from './drain-helpers';

describe('republish publisher', () => {
  let broker: TestBroker;
  let publisher: RepublishPublisher;
  let queue: string;

  beforeAll(async () => {
    broker = await createTestBroker();
    queue = await broker.queue(uniqueName('republish.publisher'));
    const ledger = uniqueName('republish.publisher.ledger');
    broker.track('queue', ledger);
    publisher = new RepublishPublisher({ url: broker.url, ledgerQueue: ledger, logger: testLogger }).start();
  });

  afterAll(async () => {
    await publisher?.close();
    await broker?.cleanup();
  });

  const batch = (n: number): OutgoingMessage[] =>
    Array.from({ length: n }, () => {
      const intentId = randomUUID();
      return {
        intentId,
        exchange: '',
        routingKey: queue,
        ledger: true,
        message: { content: Buffer.alloc(1024, 'x'), options: { persistent: true, headers: {} } },
      };
    });

  it('confirms lost with the connection are unknown, not nacked', async () => {
    // enough that the broker is still confirming when the socket goes (~1 s of its work here)
    const items = batch(6000);
    const { outcomes } = await publisher.send(items);
    // the network goes: the socket fails under amqplib (a reset connection)
    const model = publisher.connection.connection as ChannelModel & { connection: { stream: { destroy(err: Error): void } } };
    model.connection.stream.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    const results = await outcomes;
    const count = (o: string) => results.filter((r) => r === o).length;
    expect(results).toHaveLength(items.length);
    expect(count('nacked')).toBe(0);
    expect(count('unknown')).toBeGreaterThan(0);
    expect(count('ok') + count('unknown')).toBe(items.length);
    // the broker may have routed some of the unknown ones: at least every 'ok' is on the queue
    await publisher.connection.waitConnected(10_000);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBeGreaterThanOrEqual(count('ok'));
  });
});

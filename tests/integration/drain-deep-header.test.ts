// The deep header: a ~35 KB message whose headers nest 5,000 tables deep used to overflow
// amqplib's decoder inside the connection's frame parser; the connection died, the message went
// back to the queue and the drain reconnected to it forever. Now the levels past 64 arrive as
// raw bytes, the message is stored with its other headers, and the drain goes on.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HEADER_DEPTH, UNDECODABLE_KEY } from '@/lib/bus/amqp-safe-decoder';
import { Drainer } from '@/lib/bus/drainer';
import { createTestBroker, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { closeConsumerConnection, deepHeadersTable, dlqTopology, publishRawHeaders, queueTotal, testLogger, waitFor } from './drain-helpers';

let broker: TestBroker;
let db: TestDatabase;
let dlq: string;
let drainer: Drainer;

beforeAll(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('draindeep');
  ({ dlq } = await dlqTopology(broker, 'draindeep'));
  drainer = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, batchSize: 100, lingerMs: 10, logger: testLogger });
  await drainer.start();
});

afterAll(async () => {
  await drainer?.stop();
  await broker?.cleanup();
  await db?.drop();
});

const row = (key: string) =>
  waitFor(
    async () =>
      (
        await db.pool.query(
          `SELECT d.status, m.headers AS raw_headers, m.body FROM dead_letters d JOIN dead_letter_messages m ON m.dead_letter_id = d.id WHERE d.event_key = $1`,
          [key],
        )
      ).rows[0],
    30_000,
    key,
  );

describe('the deep header', () => {
  it('stores a message with headers 5,000 tables deep, then the next one, on the same connection', async () => {
    await waitFor(async () => drainer.status().state === 'running', 30_000, 'drain running');
    const table = deepHeadersTable(5000);
    expect(table.length).toBeGreaterThan(34_000);
    const deepId = `deep-${randomUUID()}`;
    const nextId = `after-deep-${randomUUID()}`;
    const publisher = await broker.connection.createChannel();
    publishRawHeaders(broker.connection, publisher, dlq, table, Buffer.from('{"deep":true}'), deepId);
    publisher.sendToQueue(dlq, Buffer.from('{"normal":true}'), { messageId: nextId, headers: { 'x-note': 'behind the deep one' } });

    const deep = await row(deepId);
    const next = await row(nextId);
    expect(deep.status).toBe('pending');
    expect(deep.body.toString()).toBe('{"deep":true}');
    // 64 levels decoded, the 65th kept as its raw bytes
    let node = deep.raw_headers.h;
    for (let level = 2; level <= MAX_HEADER_DEPTH; level++) node = node.a;
    expect(Object.keys(node.a)).toEqual([UNDECODABLE_KEY]);
    expect(Buffer.from(node.a[UNDECODABLE_KEY], 'base64').length).toBeGreaterThan(30_000);
    expect(next.raw_headers).toEqual({ 'x-note': 'behind the deep one' });

    await waitFor(async () => (await queueTotal(dlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');
    const status = drainer.status();
    expect(status.state).toBe('running');
    expect(status.connections).toBe(1);
    await publisher.close();
  });
});

describe('the deep header in the built server', () => {
  // Next keeps amqplib external (serverExternalPackages): the server process must patch the same
  // copy its drain connects with, or the connection refuses to run (assertSafeDecoder).
  it('drains a 5,000-deep header message inside `next start`, stays connected, and reconnects after routes loaded the decoder again', async () => {
    const { startNextServer } = await import('../helpers/next-server');
    const { dlq: serverDlq } = await dlqTopology(broker, 'draindeepnext');
    broker.track('queue', `eventdesk.parked.${serverDlq}`);
    const server = await startNextServer({ DATABASE_URL: db.url, DLQ_QUEUE: serverDlq, DRAIN: 'true', TAP: 'false', LOG_LEVEL: 'warn' });
    try {
      const health = async () => (await fetch(`${server.url}/api/health`)).json();
      await waitFor(async () => (await health()).drain?.state === 'running', 60_000, 'the server drain running');
      const deepId = `deep-next-${randomUUID()}`;
      const nextId = `after-deep-next-${randomUUID()}`;
      const publisher = await broker.connection.createChannel();
      publishRawHeaders(broker.connection, publisher, serverDlq, deepHeadersTable(5000), Buffer.from('{"deep":"next"}'), deepId);
      publisher.sendToQueue(serverDlq, Buffer.from('{"normal":"next"}'), { messageId: nextId });
      const deep = await row(deepId);
      await row(nextId);
      expect(JSON.stringify(deep.raw_headers)).toContain(UNDECODABLE_KEY);
      await waitFor(async () => (await queueTotal(serverDlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');
      const h = await health();
      expect(h).toMatchObject({ broker: { ok: true }, drain: { state: 'running', parkedTotal: 0 } });

      // Routes that load the decoder from another chunk of the build (metrics, queues, the
      // dead-letter actions) re-install it; the drain's reconnect must still find it active.
      for (const route of ['/api/metrics', '/api/queues', '/api/stats/summary']) await fetch(`${server.url}${route}`);
      await closeConsumerConnection(serverDlq);
      const consumers = async () => (await broker.channel.checkQueue(serverDlq)).consumerCount;
      await waitFor(async () => (await consumers()) === 1 && (await health()).drain?.state === 'running', 30_000, 'the drain consuming again').catch(
        async (err: Error) => {
          throw new Error(`${err.message}\n${server.output().slice(-3000)}`);
        },
      );
      const againId = `after-reconnect-${randomUUID()}`;
      publisher.sendToQueue(serverDlq, Buffer.from('{"normal":"again"}'), { messageId: againId });
      await row(againId);
      await publisher.close();
    } finally {
      await server.stop();
    }
  }, 120_000);
});

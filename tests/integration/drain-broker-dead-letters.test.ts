// Dead letters made by RabbitMQ itself (a consumer that rejects, a TTL that expires) arrive in
// PostgreSQL with the right queue, reason, counts and exact bytes; a message that comes back after
// a republish updates its record instead of adding one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drainer } from '@/lib/bus/drainer';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { count, dlqTopology, testLogger, waitFor } from './drain-helpers';

let broker: TestBroker;
let db: TestDatabase;
let dlx: string;
let dlq: string;
let drainer: Drainer;

const event = (eventType = 'user.created', eventId = randomUUID()) => ({
  eventId,
  eventType,
  timestamp: '2026-11-27T10:00:00Z',
  version: '1.0',
  source: 'user-service',
  data: { userId: 'user123', email: 'a@example.com', firstName: 'A', lastName: 'B', role: 'STUDENT' },
});

beforeAll(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('drainrmq');
  ({ dlx, dlq } = await dlqTopology(broker, 'drainrmq'));
  drainer = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, batchSize: 50, lingerMs: 10, logger: testLogger });
  await drainer.start();
});

afterAll(async () => {
  await drainer?.stop();
  await broker?.cleanup();
  await db?.drop();
});

describe('dead letters made by RabbitMQ', () => {
  it('stores a rejected message with its consumer queue, reason, count and exact bytes', async () => {
    const consumerQueue = await broker.queue(uniqueName('drainrmq.notification-service'), { arguments: { 'x-dead-letter-exchange': dlx } });
    const e = event();
    const body = Buffer.from(JSON.stringify(e));
    broker.channel.sendToQueue(consumerQueue, body, {
      contentType: 'application/json',
      messageId: 'm-1',
      correlationId: 'corr-1',
      headers: { 'x-last-error': 'SMTP timeout after 30000ms' },
    });
    const ch = await broker.connection.createChannel();
    await ch.consume(consumerQueue, (m) => m && ch.nack(m, false, false));

    const row = await waitFor(
      async () => (await db.pool.query('SELECT * FROM dead_letters WHERE event_key = $1', [e.eventId])).rows[0],
      20_000,
      'the rejected message',
    );
    await ch.close();
    expect(row).toMatchObject({
      event_key_source: 'event-id',
      event_id: e.eventId,
      event_type: 'user.created',
      version: '1.0',
      queue: consumerQueue,
      reason: 'rejected',
      status: 'pending',
      attempts: 1,
      error_message: 'SMTP timeout after 30000ms',
      validation_status: 'valid',
      correlation_id: 'corr-1',
      content_type: 'application/json',
      body_size: body.length,
    });
    const msg = (await db.pool.query('SELECT * FROM dead_letter_messages WHERE dead_letter_id = $1', [row.id])).rows;
    expect(msg).toHaveLength(1);
    expect(Buffer.compare(msg[0].body, body)).toBe(0);
    expect(msg[0].deaths[0]).toMatchObject({ queue: consumerQueue, reason: 'rejected', count: 1, exchange: '', routingKeys: [consumerQueue] });
    expect(msg[0].headers['x-first-death-queue']).toBe(consumerQueue);
    expect(msg[0].properties).toMatchObject({ messageId: 'm-1', correlationId: 'corr-1', contentType: 'application/json' });
    const history = (await db.pool.query('SELECT action, actor FROM dead_letter_history WHERE dead_letter_id = $1', [row.id])).rows;
    expect(history).toEqual([{ action: 'dead-lettered', actor: 'drain' }]);
    const group = (await db.pool.query('SELECT * FROM failure_groups WHERE id = $1', [row.group_id])).rows[0];
    expect(group).toMatchObject({ event_type: 'user.created', queue: consumerQueue, reason: 'rejected', count: 1, pending_count: 1 });
    expect(await count(db.pool, `SELECT sum(dead_lettered) FROM event_minute_stats WHERE event_type = 'user.created'`)).toBe(1);
  });

  it('counts an event that died in two queues, and again after a retry, as one failed event and three deaths', async () => {
    const queues = [
      await broker.queue(uniqueName('drainrmq.failed-a'), { arguments: { 'x-dead-letter-exchange': dlx } }),
      await broker.queue(uniqueName('drainrmq.failed-b'), { arguments: { 'x-dead-letter-exchange': dlx } }),
    ];
    const e = event('certificate.issued');
    const body = Buffer.from(JSON.stringify(e));
    const ch = await broker.connection.createChannel();
    for (const q of queues) await ch.consume(q, (m) => m && ch.nack(m, false, false));
    const deaths = () => count(db.pool, `SELECT coalesce(sum(dead_lettered), 0) FROM event_minute_stats WHERE event_type = 'certificate.issued'`);
    const failed = () => count(db.pool, `SELECT coalesce(sum(failed_events), 0) FROM event_minute_stats WHERE event_type = 'certificate.issued'`);
    for (const q of queues) broker.channel.sendToQueue(q, body, { contentType: 'application/json' });
    await waitFor(async () => (await deaths()) === 2, 20_000, 'two deaths');
    // the replay of a retry dies again in the first queue
    broker.channel.sendToQueue(queues[0], body, { contentType: 'application/json', headers: { 'x-eventdesk-republish-count': 1 } });
    await waitFor(async () => (await deaths()) === 3, 20_000, 'the third death');
    await ch.close();
    expect(await failed()).toBe(1);
    expect(await count(db.pool, `SELECT sum(failed_events) FROM event_quarter_stats WHERE event_type = 'certificate.issued'`)).toBe(1);
  });

  it('stores a message whose TTL expired, with reason expired', async () => {
    const ttlQueue = await broker.queue(uniqueName('drainrmq.ttl'), { arguments: { 'x-dead-letter-exchange': dlx, 'x-message-ttl': 50 } });
    const body = Buffer.from([0x00, 0xff, 0x10, 0x80]); // binary, no message id: keyed by sha256
    broker.channel.sendToQueue(ttlQueue, body, { routingKey: 'x' } as never);
    const row = await waitFor(
      async () => (await db.pool.query('SELECT * FROM dead_letters WHERE queue = $1', [ttlQueue])).rows[0],
      20_000,
      'the expired message',
    );
    expect(row).toMatchObject({ reason: 'expired', event_key_source: 'body-sha256', validation_status: 'unparseable', attempts: 1 });
    const m = (await db.pool.query('SELECT body FROM dead_letter_messages WHERE dead_letter_id = $1', [row.id])).rows[0];
    expect(Buffer.compare(m.body, body)).toBe(0);
  });

  it('the same event dead-lettered by two consumer queues is two records', async () => {
    const q1 = await broker.queue(uniqueName('drainrmq.a'), { arguments: { 'x-dead-letter-exchange': dlx, 'x-message-ttl': 10 } });
    const q2 = await broker.queue(uniqueName('drainrmq.b'), { arguments: { 'x-dead-letter-exchange': dlx, 'x-message-ttl': 10 } });
    const e = event('order.created');
    for (const q of [q1, q2]) broker.channel.sendToQueue(q, Buffer.from(JSON.stringify(e)));
    await waitFor(async () => (await count(db.pool, 'SELECT count(*) FROM dead_letters WHERE event_key = $1', [e.eventId])) === 2, 20_000, 'two records');
    const queues = (await db.pool.query('SELECT queue FROM dead_letters WHERE event_key = $1 ORDER BY queue', [e.eventId])).rows.map((r) => r.queue);
    expect(queues).toEqual([q1, q2].sort());
  });

  it('a republished message that fails again updates its record: attempts 2, history failed-again', async () => {
    const consumerQueue = await broker.queue(uniqueName('drainrmq.progress-service'), { arguments: { 'x-dead-letter-exchange': dlx } });
    const e = event('user.created');
    const body = Buffer.from(JSON.stringify(e));
    const ch = await broker.connection.createChannel();
    await ch.consume(consumerQueue, (m) => m && ch.nack(m, false, false));
    broker.channel.sendToQueue(consumerQueue, body, { headers: { 'x-last-error': 'first failure' } });
    const first = await waitFor(
      async () => (await db.pool.query('SELECT * FROM dead_letters WHERE event_key = $1', [e.eventId])).rows[0],
      20_000,
      'first death',
    );
    // What the republish work does: mark it republished, send it back without x-death.
    await db.pool.query(`UPDATE dead_letters SET status = 'republished' WHERE id = $1`, [first.id]);
    await db.pool.query(`UPDATE failure_groups SET pending_count = pending_count - 1 WHERE id = $1`, [first.group_id]);
    broker.channel.sendToQueue(consumerQueue, body, {
      headers: { 'x-last-error': 'first failure', 'x-eventdesk-republish-count': 1, 'x-eventdesk-dead-letter-id': first.id },
    });
    const again = await waitFor(
      async () => (await db.pool.query('SELECT * FROM dead_letters WHERE id = $1 AND attempts = 2', [first.id])).rows[0],
      20_000,
      'second death',
    );
    await ch.close();
    expect(again).toMatchObject({ status: 'pending', republish_count: 1, attempts: 2 });
    expect(await count(db.pool, 'SELECT count(*) FROM dead_letters WHERE event_key = $1', [e.eventId])).toBe(1);
    const actions = (await db.pool.query('SELECT action FROM dead_letter_history WHERE dead_letter_id = $1 ORDER BY id', [first.id])).rows.map((r) => r.action);
    expect(actions).toEqual(['dead-lettered', 'failed-again']);
    expect(await count(db.pool, 'SELECT count(*) FROM dead_letter_messages WHERE dead_letter_id = $1', [first.id])).toBe(2);
    const latest = await count(db.pool, 'SELECT max(id) FROM dead_letter_messages WHERE dead_letter_id = $1', [first.id]);
    expect(Number(again.latest_message_id)).toBe(latest);
    const group = (await db.pool.query('SELECT count, pending_count FROM failure_groups WHERE id = $1', [first.group_id])).rows[0];
    expect(group).toEqual({ count: 2, pending_count: 1 });
  });

  it('reports its state', async () => {
    await waitFor(async () => drainer.status().dlqDepth !== null, 10_000, 'a depth');
    expect(drainer.status()).toMatchObject({ state: 'running', brokerConnected: true, dlqMissing: false });
    expect(drainer.status().drainedTotal).toBeGreaterThanOrEqual(5);
  });
});

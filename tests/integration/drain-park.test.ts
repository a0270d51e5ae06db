// Poison isolation: a message the drain cannot store (PostgreSQL refuses it for its data) or
// cannot read is parked: published to eventdesk.parked.<DLQ> and recorded as "unreadable" with its
// exact bytes, and the messages behind it are stored; nothing is acked unstored or unparked.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drainer } from '@/lib/bus/drainer';
import { PARK_REASON_HEADER, recordUnreadable } from '@/lib/bus/park';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { purgeExpired } from '@/lib/bus/retention';
import { createTestBroker, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import {
  closeBrokerConnection,
  count,
  dlqTopology,
  publishAll,
  publishRawHeaders,
  queueDepth,
  queueTotal,
  REFUSED_MARKER,
  refuseMarkedBodies,
  run as exec,
  testLogger,
  UNREADABLE_TEST_HEADER,
  waitFor,
} from './drain-helpers';
import { ignoreCleanupError } from '../helpers/cleanup';

let broker: TestBroker;
let db: TestDatabase;

beforeAll(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('drainpark');
  await refuseMarkedBodies(db.pool);
});

afterAll(async () => {
  await broker?.cleanup();
  await db?.drop();
});

async function drainerFor(label: string) {
  const { dlq } = await dlqTopology(broker, label);
  const drainer = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, batchSize: 100, lingerMs: 10, logger: testLogger });
  broker.track('queue', drainer.parkQueue);
  return { dlq, drainer };
}

const unreadable = async (bodyMarker: string) =>
  (
    await db.pool.query(
      `SELECT d.*, m.body, m.headers AS raw_headers, m.fingerprint FROM dead_letters d JOIN dead_letter_messages m ON m.dead_letter_id = d.id
        WHERE d.status = 'unreadable' AND position($1::bytea in m.body) > 0`,
      [Buffer.from(bodyMarker)],
    )
  ).rows;

describe('poison isolation', () => {
  it('a drain that moves on past a message it cannot store', async () => {
    const { dlq, drainer } = await drainerFor('drainparkstore');
    const run = randomUUID();
    // A message PostgreSQL refuses for its data (this test database's CHECK on the inbox: 23514),
    // so every write of it fails, the degraded one included; before parking, such a batch was
    // retried forever and the DLQ stood still.
    const poison = {
      body: Buffer.from(`{"poison":"${run}","why":"${REFUSED_MARKER}"}`),
      options: {
        messageId: `poison-${run}`,
        headers: {
          'x-death': [
            {
              queue: 'orders-service',
              reason: 'rejected',
              count: 1,
              exchange: 'edu.events',
              'routing-keys': ['order.created'],
              time: { '!': 'timestamp', value: 1764268800 },
            },
          ],
          'x-extra': 'kept',
        },
      },
    };
    const behind = Array.from({ length: 50 }, (_, i) => ({ body: Buffer.from(`{"n":${i}}`), options: { messageId: `behind-${run}-${i}` } }));
    await publishAll(broker.connection, dlq, [poison, ...behind]);

    const started = Date.now();
    await drainer.start();
    try {
      // the drain's own counters: the poison parked (both writes done) and the 50 behind it committed
      await waitFor(
        async () => drainer.status().parkedTotal === 1 && drainer.status().drainedTotal === 50,
        60_000,
        'the poison parked and the 50 behind it stored',
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(`drain moved past the unstorable message and stored the 50 behind it in ${seconds.toFixed(2)} s (from start, connect included)`);
      // stored is durable; the records are derived right after (store first, derive after)
      await waitFor(
        async () => (await count(db.pool, `SELECT count(*) FROM dead_letters WHERE event_key LIKE $1`, [`behind-${run}-%`])) === 50,
        10_000,
        'the 50 records derived',
      );
      const [record] = await unreadable(run);
      await waitFor(async () => (await queueTotal(dlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');

      // the unreadable record: exact bytes, routing key, the queue from x-death, the reason
      expect(record.body.equals(poison.body)).toBe(true);
      expect(record).toMatchObject({ status: 'unreadable', queue: 'orders-service', routing_key: 'order.created', body_size: poison.body.length });
      expect(record.unreadable_reason).toMatch(/23514/);
      expect(record.unreadable_reason).toMatch(/after 3 tries/);
      // what could be read names it in the list: type, RabbitMQ's reason, why it was parked
      expect(record).toMatchObject({ reason: 'rejected' });
      expect(record.error_message).toMatch(/^Unreadable, parked: refused by the database after 3 tries: 23514/);
      expect(record.raw_headers['x-extra']).toBe('kept');
      const history = await db.pool.query(`SELECT action, actor FROM dead_letter_history WHERE dead_letter_id = $1`, [record.id]);
      expect(history.rows).toEqual([{ action: 'parked', actor: 'drain' }]);

      // the parking queue holds it, with its properties, headers and the reason
      expect(await queueDepth(broker, drainer.parkQueue)).toBe(1);
      const parked = await broker.channel.get(drainer.parkQueue, { noAck: true });
      if (!parked) throw new Error('parking queue empty');
      expect(parked.content.equals(poison.body)).toBe(true);
      expect(parked.properties.messageId).toBe(`poison-${run}`);
      expect(parked.properties.deliveryMode).toBe(2);
      expect(String(parked.properties.headers?.[PARK_REASON_HEADER])).toMatch(/23514/);
      expect(parked.properties.headers?.['x-extra']).toBe('kept');
      expect(drainer.parkQueue).toBe(`eventdesk.parked.${dlq}`);

      // every message stored or parked exactly once; the drain never left its connection
      expect(
        await count(db.pool, `SELECT count(*) FROM dead_letter_messages m JOIN dead_letters d ON d.id = m.dead_letter_id WHERE d.event_key LIKE $1`, [
          `behind-${run}-%`,
        ]),
      ).toBe(50);
      const status = drainer.status();
      expect(status).toMatchObject({ state: 'running', parkedTotal: 1, connections: 1 });
      expect(status.drainedTotal).toBe(50);
    } finally {
      await drainer.stop();
    }
  });

  it('parks a message whose properties cannot be written again (200 bytes of messageId that are no UTF-8), and stores the next one', async () => {
    const { dlq, drainer } = await drainerFor('drainparkprops');
    const run = randomUUID();
    // read, each byte becomes U+FFFD (3 bytes): 600 bytes, which amqplib refuses to encode into
    // a property (255 at most) when the message is parked; the body is one the database refuses
    const body = Buffer.from(`{"props":"${run}","why":"${REFUSED_MARKER}"}`);
    const publisher = await broker.connection.createChannel();
    publishRawHeaders(broker.connection, publisher, dlq, Buffer.alloc(0), body, Buffer.alloc(200, 0xff));
    publisher.sendToQueue(dlq, Buffer.from(`{"behind":"${run}"}`), { messageId: `behind-props-${run}` });
    await publisher.close();
    await drainer.start();
    try {
      await waitFor(
        async () => drainer.status().parkedTotal === 1 && drainer.status().drainedTotal === 1,
        60_000,
        'the message parked and the one behind it stored',
      );
      await waitFor(async () => (await queueTotal(dlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');
      const [record] = await unreadable(run);
      expect(record.body.equals(body)).toBe(true);
      // the parked copy: the body, the park's headers, and the properties that could not go as
      // properties, as their JSON
      const parked = await broker.channel.get(drainer.parkQueue, { noAck: true });
      if (!parked) throw new Error('parking queue empty');
      expect(parked.content.equals(body)).toBe(true);
      expect(parked.properties.messageId).toBeUndefined();
      expect(parked.properties.deliveryMode).toBe(2);
      expect(String(parked.properties.headers?.[PARK_REASON_HEADER])).toMatch(/23514/);
      const properties = JSON.parse(String(parked.properties.headers?.['x-eventdesk-original-properties']));
      expect(properties.messageId).toBe('\ufffd'.repeat(200));
      expect(drainer.status()).toMatchObject({ state: 'running', connections: 1 });
    } finally {
      await drainer.stop();
    }
  });

  it('parks on a broker connection of its own, opened again when it is closed; the drain keeps its one connection', async () => {
    const { dlq, drainer } = await drainerFor('drainparkconn');
    const run = randomUUID();
    const poison = (n: number) => ({ body: Buffer.from(`{"conn":"${run}","n":${n},"why":"${REFUSED_MARKER}"}`), options: { messageId: `conn-${run}-${n}` } });
    await publishAll(broker.connection, dlq, [poison(1)]);
    await drainer.start();
    try {
      await waitFor(async () => drainer.status().parkedTotal === 1, 60_000, 'the first one parked');
      // the park's connection, not the drain's (an alarm blocks a connection that publishes)
      await closeBrokerConnection(`eventdesk-park:${dlq}`);
      await publishAll(broker.connection, dlq, [poison(2)]);
      await waitFor(async () => drainer.status().parkedTotal === 2, 60_000, 'the second one parked, on a new connection');
      await waitFor(async () => (await queueTotal(dlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');
      expect(await queueDepth(broker, drainer.parkQueue)).toBe(2);
      expect(drainer.status()).toMatchObject({ state: 'running', connections: 1 });
    } finally {
      await drainer.stop();
    }
  });

  it('parks a message it cannot read (the test hook), even with its parking queue deleted, and stores the next one', async () => {
    const { dlq, drainer } = await drainerFor('drainparkread');
    const run = randomUUID();
    const unreadableMessage = (n: number) => ({
      body: Buffer.from(`unreadable ${n} ${run}`),
      options: { headers: { 'x-death': [{ queue: 'q', reason: 'expired', count: 1 }], [UNREADABLE_TEST_HEADER]: n } },
    });
    const parkQueueExists = async () => {
      const ch = await broker.connection.createChannel();
      ch.on('error', () => {});
      try {
        await ch.checkQueue(drainer.parkQueue);
        await ch.close();
        return true;
      } catch {
        return false;
      }
    };
    await drainer.start();
    try {
      await waitFor(async () => drainer.status().state === 'running', 30_000, 'drain running');
      // a drain that has parked nothing has declared no parking queue
      expect(await parkQueueExists()).toBe(false);
      await publishAll(broker.connection, dlq, [unreadableMessage(1), { body: Buffer.from(`fine ${run}`), options: { messageId: `fine-${run}` } }]);
      await waitFor(
        async () => (await count(db.pool, `SELECT count(*) FROM dead_letters WHERE event_key = $1`, [`fine-${run}`])) === 1,
        30_000,
        'the next message',
      );
      const [record] = await waitFor(
        async () => {
          const rows = await unreadable(`unreadable 1 ${run}`);
          return rows.length ? rows : null;
        },
        30_000,
        'the unreadable record',
      );
      expect(record.unreadable_reason).toMatch(/cannot read the message: RangeError/);
      expect(record.queue).toBe('q');
      expect(record.body.toString()).toBe(`unreadable 1 ${run}`);
      // the record is written before the publish; the ack (an empty DLQ) comes after both
      await waitFor(async () => (await queueTotal(dlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');
      expect(await queueDepth(broker, drainer.parkQueue)).toBe(1);

      // the parking queue deleted behind the drain's back: the next park must declare it again,
      // not publish into nothing (the broker confirms an unroutable publish) and ack
      await broker.channel.deleteQueue(drainer.parkQueue);
      await publishAll(broker.connection, dlq, [unreadableMessage(2)]);
      await waitFor(async () => (await unreadable(`unreadable 2 ${run}`)).length === 1, 30_000, 'the second unreadable record');
      await waitFor(async () => (await queueTotal(dlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');
      expect(await queueDepth(broker, drainer.parkQueue)).toBe(1);
      const parked = await broker.channel.get(drainer.parkQueue, { noAck: true });
      expect(parked && parked.content.toString()).toBe(`unreadable 2 ${run}`);
      expect(drainer.status().parkedTotal).toBe(2);
    } finally {
      await drainer.stop();
    }
  });

  it('retention purges an old unreadable record without touching the failure group of its id', async () => {
    const run = randomUUID();
    // a stored dead letter (counted in its group), then an unreadable one sharing that group id
    const msg = (body: string) =>
      ({
        content: Buffer.from(body),
        fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'rk', consumerTag: 'c' },
        properties: { headers: {}, messageId: `retention-${run}` },
      }) as unknown as import('amqplib').ConsumeMessage;
    const death = prepareDeadLetter(msg(`old ${run}`));
    await db.pool.query(
      `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at) VALUES ($1, 'x', 'q', 'r', 's', 5, 2, now(), now())
       ON CONFLICT (id) DO UPDATE SET count = 5, pending_count = 2`,
      [death.groupId],
    );
    const old = new Date(Date.now() - 30 * 86_400_000);
    const id = await recordUnreadable(db.pool, death, 'old poison', 'eventdesk.parked.x', old, testLogger);
    expect(id).not.toBeNull();
    await db.pool.query(`UPDATE dead_letters SET updated_at = $2 WHERE id = $1`, [id, old]); // nothing happened to it since
    await purgeExpired(db.pool, { retentionDays: 7, pauseMs: 1 });
    expect(await count(db.pool, `SELECT count(*) FROM dead_letters WHERE id = $1`, [id])).toBe(0);
    const { rows } = await db.pool.query(`SELECT count, pending_count FROM failure_groups WHERE id = $1`, [death.groupId]);
    expect(rows[0]).toEqual({ count: 5, pending_count: 2 });
  });

  it('does not ack a message whose park the broker refuses (nack), and parks it once the broker accepts', async () => {
    const { dlq, drainer } = await drainerFor('drainparknack');
    const run = randomUUID();
    // a policy on this test's parking queue only: at most 0 messages, publishes beyond refused (nack)
    const policy = `test-park-nack-${run}`;
    const pattern = `^${drainer.parkQueue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
    await exec('rabbitmqctl', ['-q', 'set_policy', '--apply-to', 'queues', policy, pattern, '{"max-length":0,"overflow":"reject-publish"}']);
    let policySet = true;
    await drainer.start();
    try {
      await publishAll(broker.connection, dlq, [
        { body: Buffer.from(`refused park ${run}`), options: { headers: { 'x-death': [{ queue: 'q' }], [UNREADABLE_TEST_HEADER]: 1 } } },
      ]);
      await waitFor(async () => /parking a message failed/.test(drainer.status().lastError ?? ''), 30_000, 'a refused park');
      // refused: recorded (idempotently) but neither parked nor acked
      expect(drainer.status().parkedTotal).toBe(0);
      expect(await queueTotal(dlq)).toBe(1);
      expect(await queueDepth(broker, drainer.parkQueue)).toBe(0);

      await exec('rabbitmqctl', ['-q', 'clear_policy', policy]);
      policySet = false;
      await waitFor(async () => drainer.status().parkedTotal === 1, 60_000, 'the park retried and accepted');
      await waitFor(async () => (await queueTotal(dlq)) === 0, 30_000, 'an empty DLQ, nothing unacked');
      expect(await queueDepth(broker, drainer.parkQueue)).toBe(1);
      // one record, however many tries
      expect((await unreadable(`refused park ${run}`)).length).toBe(1);
    } finally {
      if (policySet) await exec('rabbitmqctl', ['-q', 'clear_policy', policy]).catch(ignoreCleanupError);
      await drainer.stop();
    }
  }, 120_000);
});

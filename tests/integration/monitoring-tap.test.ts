// The tap against the real broker and PostgreSQL: exact per-type counts in the rollups and the
// throughput query, dead letters as errors of their type, the tap queue bounded and gone when
// the tap stops, and queue health flagging a backlog nobody consumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import { Tap } from '@/lib/bus/tap';
import { queryThroughput, querySummary, type SqlQuery } from '@/lib/bus/tap-rollups';
import { checkQueues } from '@/lib/bus/queue-health';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';

const PLAN: Record<string, number> = { 'user.created': 137, 'order.created': 61, 'course.published': 23 };
const TOTAL = Object.values(PLAN).reduce((a, b) => a + b, 0);

let db: TestDatabase;
let broker: TestBroker;
let exchange: string;
let sql: SqlQuery;

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function publishPlan(ch: amqp.ConfirmChannel, ex: string, plan: Record<string, number>): Promise<void> {
  for (const [type, n] of Object.entries(plan)) {
    for (let i = 0; i < n; i++) {
      ch.publish(ex, type, Buffer.from(JSON.stringify({ eventId: `${type}-${i}`, eventType: type, version: '1.0', data: {} })), { persistent: true });
    }
  }
  await ch.waitForConfirms();
}

beforeAll(async () => {
  db = await createTestDatabase('montap');
  broker = await createTestBroker();
  exchange = await broker.exchange(uniqueName('mon.events'), 'topic');
  sql = async (text, params) => (await db.pool.query(text, params)).rows;
});

afterAll(async () => {
  await broker?.cleanup();
  await db?.drop();
});

describe('monitoring tap', () => {
  it('counts every published event per type and minute, exactly, into the rollups and the throughput query', async () => {
    const tap = await new Tap({
      amqpUrl: broker.url,
      exchange,
      databaseUrl: db.url,
      queueName: uniqueName('tap'),
      prefetch: 500,
      flushIntervalMs: 200,
    }).start();
    broker.track('queue', tap.queueName);
    try {
      await tap.ready();
      const started = new Date(Date.now() - 60_000);
      const ch = await broker.connection.createConfirmChannel();
      await publishPlan(ch, exchange, PLAN);
      await ch.close();
      await waitFor('the tap to count every event', () => tap.status().countedTotal === TOTAL);
      await tap.flush();
      await tap.flush();

      const rows = (await db.pool.query<{ event_type: string; n: string }>('SELECT event_type, sum(published)::text AS n FROM event_minute_stats GROUP BY 1'))
        .rows;
      expect(Object.fromEntries(rows.map((r) => [r.event_type, Number(r.n)]))).toEqual(PLAN);
      expect(Object.fromEntries(tap.totals)).toEqual(PLAN);

      // Dead letters: the drain adds dead_lettered in its own transaction; do what it does.
      await db.pool.query(
        `INSERT INTO event_minute_stats (minute, event_type, dead_lettered) VALUES (date_trunc('minute', now()), 'order.created', 7)
         ON CONFLICT (minute, event_type) DO UPDATE SET dead_lettered = event_minute_stats.dead_lettered + EXCLUDED.dead_lettered`,
      );
      const result = await queryThroughput(sql, { from: started, to: new Date(Date.now() + 60_000) });
      expect(result.bucketSeconds).toBe(60);
      const sums: Record<string, { published: number; deadLettered: number }> = {};
      for (const p of result.series) {
        sums[p.eventType] ??= { published: 0, deadLettered: 0 };
        sums[p.eventType].published += p.published;
        sums[p.eventType].deadLettered += p.deadLettered;
      }
      expect(sums).toEqual({
        'user.created': { published: 137, deadLettered: 0 },
        'order.created': { published: 61, deadLettered: 7 },
        'course.published': { published: 23, deadLettered: 0 },
      });
      // 24 h reads the 15-minute rollups the trigger keeps in step: the same totals.
      const dayEnd = Date.now() + 1000;
      const day = await queryThroughput(sql, { from: new Date(dayEnd - 24 * 3_600_000), to: new Date(dayEnd) });
      expect(day.bucketSeconds).toBe(900);
      const daySums: Record<string, [number, number]> = {};
      for (const p of day.series) {
        daySums[p.eventType] ??= [0, 0];
        daySums[p.eventType][0] += p.published;
        daySums[p.eventType][1] += p.deadLettered;
      }
      expect(daySums).toEqual({ 'user.created': [137, 0], 'order.created': [61, 7], 'course.published': [23, 0] });

      const onlyOrders = await queryThroughput(sql, { from: started, to: new Date(Date.now() + 60_000), eventTypes: ['order.created'] });
      expect(new Set(onlyOrders.series.map((p) => p.eventType))).toEqual(new Set(['order.created']));

      const summary = await querySummary(sql);
      const orders = summary.find((s) => s.eventType === 'order.created')!;
      expect(orders.publishedLastHour).toBe(61);
      expect(orders.deadLetteredLastHour).toBe(7);
      expect(orders.ratePerSecond).toBeGreaterThan(0);
    } finally {
      await tap.stop();
    }
  });

  it('an event whose routing key holds a NUL, and counts the database refuses, never stop it writing the others', async () => {
    const tap = await new Tap({ amqpUrl: broker.url, exchange, databaseUrl: db.url, queueName: uniqueName('tap'), flushIntervalMs: 100_000 }).start();
    broker.track('queue', tap.queueName);
    try {
      await tap.ready();
      const t = uniqueName('nul');
      const ch = await broker.connection.createConfirmChannel();
      ch.publish(exchange, `${t}.\u0000bad`, Buffer.from('{}'));
      await publishPlan(ch, exchange, { [`${t}.good`]: 5 });
      await ch.close();
      await waitFor('the tap to count the 6 events', () => tap.status().countedTotal === 6);
      // a count PostgreSQL refuses for its value (a minute past to_timestamp's range), beside them
      tap.count(`${t}.far`, 8.64e18);
      await tap.flush();
      const rows = (
        await db.pool.query<{ event_type: string; n: number }>(
          `SELECT event_type, sum(published)::int AS n FROM event_minute_stats WHERE event_type LIKE $1 GROUP BY 1`,
          [`${t}.%`],
        )
      ).rows;
      // the NUL stored as U+FFFD, as the drain stores it; the refused count dropped, the rest written
      expect(Object.fromEntries(rows.map((r) => [r.event_type, r.n]))).toEqual({ [`${t}.good`]: 5, [`${t}.\uFFFDbad`]: 1 });
      expect(tap.status().pendingFlush).toBe(0);
      expect(tap.status().lastError).toMatch(/^counts dropped: 22/);
      // and it goes on
      const again = await broker.connection.createConfirmChannel();
      await publishPlan(again, exchange, { [`${t}.good`]: 2 });
      await again.close();
      await waitFor('the tap to count 2 more', () => tap.status().countedTotal === 9);
      await tap.flush();
      const { rows: after } = await db.pool.query<{ n: number }>(`SELECT sum(published)::int AS n FROM event_minute_stats WHERE event_type = $1`, [
        `${t}.good`,
      ]);
      expect(after[0].n).toBe(7);
    } finally {
      await tap.stop();
    }
  });

  it('keeps its queue bounded by x-max-length while nothing consumes it', async () => {
    const otherExchange = await broker.exchange(uniqueName('mon.bounded'), 'topic');
    const tap = await new Tap({
      amqpUrl: broker.url,
      exchange: otherExchange,
      databaseUrl: db.url,
      queueName: uniqueName('tap'),
      maxLength: 50,
      autoDelete: false,
    }).start();
    broker.track('queue', tap.queueName);
    try {
      await tap.ready();
      await tap.pause();
      const ch = await broker.connection.createConfirmChannel();
      await publishPlan(ch, otherExchange, { 'user.updated': 200 });
      await ch.close();
      expect(await tap.inspectQueue()).toEqual({ messages: 50, consumers: 0 });
    } finally {
      await tap.stop();
    }
  });

  it('shares one queue between taps (counts add up, never double) and the queue goes away when the last tap stops', async () => {
    const sharedExchange = await broker.exchange(uniqueName('mon.shared'), 'topic');
    const options = { amqpUrl: broker.url, exchange: sharedExchange, databaseUrl: db.url, flushIntervalMs: 200 };
    const a = await new Tap(options).start();
    const b = await new Tap(options).start();
    expect(a.queueName).toBe(`eventdesk.tap.${sharedExchange}`);
    expect(b.queueName).toBe(a.queueName);
    broker.track('queue', a.queueName);
    await Promise.all([a.ready(), b.ready()]);
    const ch = await broker.connection.createConfirmChannel();
    await publishPlan(ch, sharedExchange, { 'media.processed': 300 });
    await ch.close();
    await waitFor('both taps together to count 300', () => a.status().countedTotal + b.status().countedTotal >= 300);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.status().countedTotal + b.status().countedTotal).toBe(300);
    expect((await a.inspectQueue()).consumers).toBe(2);

    await a.stop();
    const probe = await broker.connection.createChannel();
    expect((await probe.checkQueue(b.queueName)).consumerCount).toBe(1);
    await probe.close();
    await b.stop();
    const after = await broker.connection.createChannel();
    after.on('error', () => {});
    await expect(after.checkQueue(b.queueName)).rejects.toThrow(/NOT_FOUND|404/);
  });

  it('reports depth and consumers per queue, flags a backlog with no consumer, and a missing queue', async () => {
    const stalled = await broker.queue(uniqueName('mon.stalled'));
    const served = await broker.queue(uniqueName('mon.served'));
    const missing = uniqueName('mon.missing');
    const ch = await broker.connection.createConfirmChannel();
    for (let i = 0; i < 3; i++) ch.sendToQueue(stalled, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    const consumerChannel = await broker.connection.createChannel();
    await consumerChannel.consume(served, () => {});

    const health = await checkQueues(broker.connection, [stalled, missing, served]);
    expect(health).toEqual([
      { name: stalled, exists: true, messages: 3, consumers: 0, noConsumers: true },
      { name: missing, exists: false, messages: 0, consumers: 0, noConsumers: false },
      { name: served, exists: true, messages: 0, consumers: 1, noConsumers: false },
    ]);
    await consumerChannel.close();
    await ch.close();
  });
});

// Several DLQs (DLQ_QUEUE lists them, issue 19): one process's drain runs a drainer per DLQ into
// one database; every record keeps the DLQ its latest death came from (the same event dying in a
// second DLQ stays one record, now of that DLQ); the list filters by dlq=, the facets count each
// DLQ (a configured one with nothing stored too), and the drain status and health sum the DLQs
// and show each one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentDrainStatus, currentDrainStatuses, publishDrainStatus } from '@/lib/bus/drain-status';
import { parkQueueName } from '@/lib/bus/park';
import { parseEnv } from '@/lib/env';
import { readHealth } from '@/lib/runtime/read-health';
import { startDrain, type RunningDrain } from '@/lib/runtime/start-drain';
import type { DeadLetter, DeadLetterList, Facets } from '@/lib/schemas/dead-letters';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { bearer, createTestToken } from '../helpers/auth';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { makeDeadLetter } from './drain-fixtures';
import { count, publishAll, testLogger, UNREADABLE_TEST_HEADER, waitFor } from './drain-helpers';
import { call, type Handler } from './route-handlers';

let broker: TestBroker;
let db: TestDatabase;
let drain: RunningDrain | null = null;
let auth: Record<string, string>;
const routes = {} as Record<'list' | 'facets' | 'export' | 'queues' | 'metrics', Handler>;
let dlqA: string;
let dlqB: string;
/** configured, never given a message: in the facets with 0 */
let dlqC: string;

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

beforeAll(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('severaldlqs');
  dlqA = await broker.queue(uniqueName('several.orders.dlq'));
  dlqB = await broker.queue(uniqueName('several.billing.dlq'));
  dlqC = await broker.queue(uniqueName('several.mail.dlq'));
  broker.track('queue', parkQueueName(dlqB));
  const list = ` ${dlqA}, ${dlqB} ,${dlqC}`;
  // the route handlers read this process's settings
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    AMQP_URL: broker.url,
    DLQ_QUEUE: list,
    DRAIN: 'false',
    TAP: 'false',
    LOG_LEVEL: 'silent',
    NEXTAUTH_SECRET: 'test-secret-for-route-handlers',
  });
  (globalThis as { __eventdeskEnv?: unknown }).__eventdeskEnv = undefined;
  auth = bearer(await createTestToken(db.url, 'viewer'));
  routes.list = (await import('@/app/api/dead-letters/route')).GET;
  routes.facets = (await import('@/app/api/dead-letters/facets/route')).GET;
  routes.export = (await import('@/app/api/dead-letters/export/route')).GET;
  routes.queues = (await import('@/app/api/queues/route')).GET;
  routes.metrics = (await import('@/app/api/metrics/route')).GET;

  drain = startDrain(parseEnv({ DATABASE_URL: db.url, AMQP_URL: broker.url, DLQ_QUEUE: list }), testLogger, () => {});
  await waitFor(async () => drain!.drainers.every((d) => d.status().state === 'running'), 20_000, 'three drainers running');
}, 60_000);

afterAll(async () => {
  publishDrainStatus(null);
  for (const s of drain?.services ?? []) await s.stop();
  await broker?.cleanup();
  await db?.drop();
});

async function list(qs: string): Promise<DeadLetter[]> {
  const items: DeadLetter[] = [];
  let cursor = '';
  for (;;) {
    const res = await call(routes.list, 'GET', `/api/dead-letters?limit=250&${qs}${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
    expect(res.status).toBe(200);
    const page = (await res.json()) as DeadLetterList;
    items.push(...page.items);
    if (!page.nextCursor) return items;
    cursor = page.nextCursor;
  }
}

async function facets(qs = ''): Promise<Facets> {
  const res = await call(routes.facets, 'GET', `/api/dead-letters/facets?${qs}`, { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as Facets;
}

describe('several DLQs', () => {
  it('drains each DLQ into one database; each record keeps its DLQ', async () => {
    await publishAll(
      broker.connection,
      dlqA,
      range(0, 30).map((i) => makeDeadLetter(i)),
    );
    await publishAll(
      broker.connection,
      dlqB,
      range(100, 20).map((i) => makeDeadLetter(i)),
    );
    await waitFor(async () => (await count(db.pool, `SELECT count(*) FROM dead_letters`)) === 50, 30_000, '50 records');
    const { rows } = await db.pool.query<{ dlq: string; n: number }>(`SELECT dlq, count(*)::int AS n FROM dead_letters GROUP BY dlq ORDER BY dlq`);
    expect(Object.fromEntries(rows.map((r) => [r.dlq, r.n]))).toEqual({ [dlqA]: 30, [dlqB]: 20 });
    // both queues emptied: each drainer acked its own
    for (const q of [dlqA, dlqB]) await waitFor(async () => (await broker.channel.checkQueue(q)).messageCount === 0, 10_000, `${q} empty`);
  });

  it('the status and health sum the DLQs and show each one', async () => {
    await waitFor(async () => currentDrainStatus()?.drainedTotal === 50, 10_000, 'the summed total');
    const each = currentDrainStatuses()!;
    expect(each.map((s) => [s.queue, s.state, s.drainedTotal])).toEqual([
      [dlqA, 'running', 30],
      [dlqB, 'running', 20],
      [dlqC, 'running', 0],
    ]);
    expect(currentDrainStatus()).toMatchObject({ state: 'running', drainedTotal: 50, parkedTotal: 0, brokerConnected: true });
    const health = await readHealth(true, broker.url);
    expect(health.status).toBe('ok');
    expect(health.drain).toMatchObject({ state: 'running', drainedTotal: 50, parkedTotal: 0 });
    expect(health.drain.dlqs?.map((d) => [d.queue, d.drainedTotal, d.dlqMissing])).toEqual([
      [dlqA, 30, false],
      [dlqB, 20, false],
      [dlqC, 0, false],
    ]);
  });

  it('parks an unreadable message of one DLQ into that DLQ’s parking queue, recorded with its DLQ', async () => {
    // unreadable by the test hook (as in drain-park.test.ts)
    await publishAll(broker.connection, dlqB, [
      {
        body: Buffer.from('unreadable in B'),
        options: { headers: { 'x-death': [{ queue: 'q', reason: 'expired', count: 1 }], [UNREADABLE_TEST_HEADER]: 1 } },
      },
    ]);
    await waitFor(async () => currentDrainStatuses()?.[1].parkedTotal === 1, 20_000, 'the park');
    const { rows } = await db.pool.query<{ dlq: string; status: string }>(`SELECT dlq, status FROM dead_letters WHERE status = 'unreadable'`);
    expect(rows).toEqual([{ dlq: dlqB, status: 'unreadable' }]);
    expect((await broker.channel.checkQueue(parkQueueName(dlqB))).messageCount).toBe(1);
    expect(currentDrainStatus()).toMatchObject({ parkedTotal: 1 });
    expect(currentDrainStatuses()!.map((s) => s.parkedTotal)).toEqual([0, 1, 0]);
  });

  it('the same event dying in a second DLQ stays one record, now of that DLQ', async () => {
    const eventId = '0b5f6a1e-19a0-4c1e-9d5e-000000000019';
    // i 0 and 6: the same event type and consumer queue, so the same record key
    await publishAll(broker.connection, dlqA, [makeDeadLetter(0, { eventId })]);
    await waitFor(async () => (await count(db.pool, `SELECT count(*) FROM dead_letters WHERE event_id = $1`, [eventId])) === 1, 20_000, 'the first death');
    expect((await db.pool.query(`SELECT dlq FROM dead_letters WHERE event_id = $1`, [eventId])).rows).toEqual([{ dlq: dlqA }]);
    await publishAll(broker.connection, dlqB, [makeDeadLetter(6, { eventId })]);
    await waitFor(
      async () => (await db.pool.query(`SELECT attempts FROM dead_letters WHERE event_id = $1`, [eventId])).rows[0]?.attempts === 2,
      20_000,
      'the second death',
    );
    const { rows } = await db.pool.query(`SELECT dlq, attempts, status FROM dead_letters WHERE event_id = $1`, [eventId]);
    expect(rows).toEqual([{ dlq: dlqB, attempts: 2, status: 'pending' }]);
  });

  it('GET /api/dead-letters?dlq= filters, and every item names its DLQ', async () => {
    // 30 + 1 of A; 20 + 1 parked + the event that moved to B
    const a = await list(`dlq=${encodeURIComponent(dlqA)}`);
    const b = await list(`dlq=${encodeURIComponent(dlqB)}`);
    expect(a).toHaveLength(30);
    expect(b).toHaveLength(22);
    expect(new Set(a.map((d) => d.dlq))).toEqual(new Set([dlqA]));
    expect(new Set(b.map((d) => d.dlq))).toEqual(new Set([dlqB]));
    expect(await list(`dlq=${encodeURIComponent(dlqC)}`)).toEqual([]);
    // with another filter: the status copy's join path
    expect(await list(`dlq=${encodeURIComponent(dlqB)}&status=unreadable`)).toHaveLength(1);
    expect(await list(`dlq=${encodeURIComponent(dlqA)}&status=pending`)).toHaveLength(30);
    // the export follows the list's filters and carries the column
    const res = await call(routes.export, 'GET', `/api/dead-letters/export?format=ndjson&dlq=${encodeURIComponent(dlqA)}`, { headers: auth });
    expect(res.status).toBe(200);
    const exported = (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { dlq: string });
    expect(exported).toHaveLength(30);
    expect(new Set(exported.map((d) => d.dlq))).toEqual(new Set([dlqA]));
  });

  it('the facets count each DLQ, configured ones with nothing stored at 0, and apply dlq= to the others', async () => {
    const all = await facets();
    expect(Object.fromEntries(all.facets.dlq.map((v) => [v.value, v.count]))).toEqual({ [dlqA]: 30, [dlqB]: 22, [dlqC]: 0 });
    const onlyB = await facets(`dlq=${encodeURIComponent(dlqB)}`);
    // its own facet ignores its own filter
    expect(Object.fromEntries(onlyB.facets.dlq.map((v) => [v.value, v.count]))).toEqual({ [dlqA]: 30, [dlqB]: 22, [dlqC]: 0 });
    const statuses = Object.fromEntries(onlyB.facets.status.map((v) => [v.value, v.count]));
    expect(statuses).toEqual({ pending: 21, unreadable: 1 });
  });

  it('GET /api/queues lists every DLQ with its depth; the metrics have each DLQ', async () => {
    broker.channel.sendToQueue(dlqC, Buffer.from('x'), {});
    // the drainer of C stores it (a message without x-death is a dead letter of queue "")
    await waitFor(async () => currentDrainStatuses()?.[2].drainedTotal === 1, 20_000, 'C drained');
    const res = await call(routes.queues, 'GET', '/api/queues', { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dlq: string; dlqs: string[]; items: { name: string; kind: string; exists: boolean; messages: number }[] };
    expect(body.dlq).toBe(dlqA);
    expect(body.dlqs).toEqual([dlqA, dlqB, dlqC]);
    const dlqItems = body.items.filter((i) => i.kind === 'dlq');
    expect(dlqItems.map((i) => [i.name, i.exists, i.messages])).toEqual([
      [dlqA, true, 0],
      [dlqB, true, 0],
      [dlqC, true, 0],
    ]);

    const text = await (await call(routes.metrics, 'GET', '/api/metrics', { headers: auth })).text();
    expect(text).toContain(`eventdesk_dlq_drained_total{dlq="${dlqA}"} 31`);
    expect(text).toContain(`eventdesk_dlq_drained_total{dlq="${dlqB}"} 21`);
    expect(text).toContain(`eventdesk_dlq_drained_total{dlq="${dlqC}"} 1`);
    expect(text).toContain(`eventdesk_dlq_parked_total{dlq="${dlqB}"} 1`);
    expect(text).toContain(`eventdesk_drained_total 53`);
    expect(text).toMatch(new RegExp(`eventdesk_queue_messages\\{queue="${dlqC.replace(/\./g, '\\.')}"\\} 0`));
  });
});

// The monitoring API end to end on the production build: the server's own tap counts events
// published to a unique exchange; /api/stats/throughput and /api/stats/summary show exactly
// those counts and the dead letters as errors of their type; /api/queues reports a backlog
// without consumers; /api/metrics parses as Prometheus text with every spec metric name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { startNextServer, type RunningServer } from '../helpers/next-server';
import { bearer, createTestToken } from '../helpers/auth';
import { parsePrometheusText } from '@/lib/metrics/parse-prometheus-text';
import { seedDeadLetter } from './triage-seed';
import { purgeExpired } from '@/lib/bus/retention';
import { createGroupJob, insertIntent, seedDeadLetters } from './republish-fixtures';

const PLAN: Record<string, number> = { 'user.created': 41, 'order.completed': 17, 'review.created': 5 };
const SPEC_METRICS = [
  'events_published_total',
  'events_consumed_total',
  'event_processing_duration_seconds',
  'event_processing_errors_total',
  'dlq_message_count',
];

let db: TestDatabase;
let broker: TestBroker;
let server: RunningServer;
let exchange: string;
let dlq: string;
let stalled: string;
let headers: Record<string, string>;

async function get(path: string, extra: Record<string, string> = headers): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: extra });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  db = await createTestDatabase('monapi');
  broker = await createTestBroker();
  exchange = await broker.exchange(uniqueName('monapi.events'), 'topic');
  dlq = await broker.queue(uniqueName('monapi.dlq'));
  stalled = await broker.queue(uniqueName('monapi.stalled'));
  server = await startNextServer({
    DATABASE_URL: db.url,
    AMQP_URL: broker.url,
    EVENTS_EXCHANGE: exchange,
    DLQ_QUEUE: dlq,
    DRAIN: 'false',
    TAP: 'true',
    JAEGER_URL: 'http://jaeger.test:16686/',
    LOG_LEVEL: 'warn',
  });
  headers = bearer(await createTestToken(db.url, 'viewer'));
  // The server's tap must be consuming before anything is published.
  await waitFor('the server tap to run', async () => {
    const res = await get('/api/stats/summary');
    return res.ok && (await res.json()).tap?.state === 'running';
  });
});

afterAll(async () => {
  await server?.stop();
  await broker?.cleanup();
  await db?.drop();
});

describe('monitoring API', () => {
  it('shows exactly the published events per type, and dead letters as errors of their type', async () => {
    const from = new Date(Date.now() - 5 * 60_000).toISOString();
    const ch = await broker.connection.createConfirmChannel();
    for (const [type, n] of Object.entries(PLAN)) for (let i = 0; i < n; i++) ch.publish(exchange, type, Buffer.from(`{"eventType":"${type}"}`));
    await ch.waitForConfirms();
    await ch.close();
    // As the drain does in its batch transaction: 3 review.created events failed, one of them in
    // two queues (4 deaths); the error rate counts each event once.
    await db.pool.query(
      `INSERT INTO event_minute_stats (minute, event_type, dead_lettered, failed_events) VALUES (date_trunc('minute', now()), 'review.created', 4, 3)
       ON CONFLICT (minute, event_type) DO UPDATE SET dead_lettered = event_minute_stats.dead_lettered + EXCLUDED.dead_lettered,
         failed_events = event_minute_stats.failed_events + EXCLUDED.failed_events`,
    );

    const sums = async (query: string) => {
      const res = await get(`/api/stats/throughput?${query}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { bucketSeconds: number; series: { eventType: string; published: number; deadLettered: number }[] };
      const out: Record<string, [number, number]> = {};
      for (const p of body.series) {
        out[p.eventType] ??= [0, 0];
        out[p.eventType][0] += p.published;
        out[p.eventType][1] += p.deadLettered;
      }
      return { bucketSeconds: body.bucketSeconds, out };
    };
    const range = () => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
    await waitFor('the rollups to hold every event', async () => {
      const { out } = await sums(range());
      return Object.entries(PLAN).every(([t, n]) => out[t]?.[0] === n);
    });
    const all = await sums(range());
    expect(all.bucketSeconds).toBe(60);
    expect(all.out).toEqual({ 'user.created': [41, 0], 'order.completed': [17, 0], 'review.created': [5, 4] });

    const filtered = await sums(`${range()}&eventType=review.created`);
    expect(filtered.out).toEqual({ 'review.created': [5, 4] });

    const summary = await (await get('/api/stats/summary')).json();
    const review = summary.items.find((i: { eventType: string }) => i.eventType === 'review.created');
    expect(review).toMatchObject({ publishedLastHour: 5, deadLetteredLastHour: 4, failedEventsLastHour: 3, errorRate: 0.6 });

    const bad = await get('/api/stats/throughput?from=yesterday');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_request');

    const metrics = parsePrometheusText(await (await get('/api/metrics', {})).text());
    const published = metrics.get('events_published_total')!.samples;
    expect(Object.fromEntries(published.map((s) => [s.labels.event_type, s.value]))).toEqual(PLAN);
  });

  it('reports a queue with messages and no consumer as such', async () => {
    const ch = await broker.connection.createConfirmChannel();
    for (let i = 0; i < 4; i++) ch.sendToQueue(stalled, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    await ch.close();
    // EventDesk knows a consumer queue from the dead letters that died in it (x-death).
    await db.pool.query(
      `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
       VALUES ($1, 'order.completed', $2, 'rejected', 'boom', 6, 2, now(), now())`,
      [uniqueName('group'), stalled],
    );
    const res = await get('/api/queues');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items).toContainEqual(expect.objectContaining({ name: stalled, messages: 4, consumers: 0, noConsumers: true, exists: true }));
    expect(body.items).toContainEqual(expect.objectContaining({ name: dlq, kind: 'dlq', exists: true, noConsumers: false }));
  });

  it('serves /api/metrics as Prometheus text carrying every spec metric name', async () => {
    const res = await get('/api/metrics', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const families = parsePrometheusText(await res.text());
    for (const name of SPEC_METRICS) expect(families.has(name), name).toBe(true);
    expect(families.get('event_processing_duration_seconds')!.type).toBe('histogram');
    const pending = families.get('dlq_message_count')!.samples.find((s) => s.labels.queue === stalled);
    expect(pending).toMatchObject({ labels: { event_type: 'order.completed', queue: stalled }, value: 2 });
    const errors = families.get('event_processing_errors_total')!.samples.find((s) => s.labels.queue === stalled);
    expect(errors?.value).toBe(6);
    const depth = families.get('eventdesk_queue_messages')!.samples.find((s) => s.labels.queue === stalled);
    expect(depth?.value).toBe(4);
    for (const own of [
      'eventdesk_drained_total',
      'eventdesk_drain_parked_total',
      'eventdesk_republished_total',
      'eventdesk_bulk_job_items_total',
      'eventdesk_http_request_duration_seconds',
    ]) {
      expect(families.has(own), own).toBe(true);
    }
  });

  it('concurrent scrapes see a counter once, not added up (an HA pair of Prometheus servers; found by a probe)', async () => {
    await db.pool.query(
      `INSERT INTO purged_counts (source, a, b, n) VALUES ('bulk-items', 'republish', 'succeeded', 1000)
       ON CONFLICT (source, a, b) DO UPDATE SET n = 1000`,
    );
    const read = async () => {
      const families = parsePrometheusText(await (await get('/api/metrics', {})).text());
      return families.get('eventdesk_bulk_job_items_total')!.samples.find((s) => s.labels.action === 'republish' && s.labels.outcome === 'succeeded')?.value;
    };
    for (let round = 0; round < 5; round++) {
      const values = await Promise.all(Array.from({ length: 8 }, read));
      expect(new Set(values), `round ${round}: ${values.join(', ')}`).toEqual(new Set([1000]));
    }
  });

  it('links a dead letter to its Jaeger trace from its traceparent when JAEGER_URL is set', async () => {
    const traced = await seedDeadLetter(db.pool, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    const untraced = await seedDeadLetter(db.pool, {});
    expect((await (await get(`/api/dead-letters/${traced.id}`)).json()).traceUrl).toBe('http://jaeger.test:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736');
    expect((await (await get(`/api/dead-letters/${untraced.id}`)).json()).traceUrl).toBeNull();
  });

  it('keeps the republish, bulk and processing-error counters when retention purges what they count', async () => {
    const seeded = await seedDeadLetters(db.pool, { queue: uniqueName('monapi.retention'), count: 3 });
    const oldQueue = uniqueName('monapi.old');
    for (let i = 0; i < 2; i++) {
      await seedDeadLetter(db.pool, { eventType: 'course.created', queue: oldQueue, lastFailedAt: new Date(Date.now() - 10 * 86_400_000) });
    }
    for (const [i, state] of (['done', 'done', 'failed'] as const).entries()) {
      const id = await insertIntent(db.pool, { deadLetterId: seeded.ids[i], queue: 'q', owner: uniqueName('owner') });
      await db.pool.query(
        `UPDATE "republish_intents" SET "state" = $2, "created_at" = now() - interval '9 days', "settled_at" = now() - interval '8 days' WHERE "id" = $1`,
        [id, state],
      );
    }
    const { jobId } = await createGroupJob(db.pool, { groupId: seeded.groupId, ratePerSecond: 100 });
    await db.pool.query(`UPDATE "bulk_jobs" SET "status" = 'done', "succeeded" = 2, "skipped" = 1, "finished_at" = now() - interval '8 days' WHERE "id" = $1`, [
      jobId,
    ]);

    const counters = async () => {
      const families = parsePrometheusText(await (await get('/api/metrics', {})).text());
      const value = (name: string, labels: Record<string, string>) =>
        families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
      return {
        republished: value('eventdesk_republished_total', { target: 'origin' }),
        failures: value('eventdesk_republish_failures_total', { target: 'origin' }),
        succeeded: value('eventdesk_bulk_job_items_total', { action: 'republish', outcome: 'succeeded' }),
        skipped: value('eventdesk_bulk_job_items_total', { action: 'republish', outcome: 'skipped' }),
        errors: value('event_processing_errors_total', { event_type: 'course.created', queue: oldQueue }),
      };
    };
    const before = await counters();
    expect(before.republished).toBeGreaterThanOrEqual(2);
    expect(before.failures).toBeGreaterThanOrEqual(1);
    expect(before.succeeded).toBeGreaterThanOrEqual(2);
    expect(before.errors).toBe(2);

    await purgeExpired(db.pool, { retentionDays: 7, pauseMs: 1 });
    expect(Number((await db.pool.query(`SELECT count(*) FROM "republish_intents" WHERE "dead_letter_id" = ANY($1::uuid[])`, [seeded.ids])).rows[0].count)).toBe(
      0,
    );
    expect((await db.pool.query(`SELECT 1 FROM "bulk_jobs" WHERE "id" = $1`, [jobId])).rowCount).toBe(0);
    expect((await db.pool.query(`SELECT 1 FROM "dead_letters" WHERE "queue" = $1`, [oldQueue])).rowCount).toBe(0);
    expect(await counters()).toEqual(before);
  });
});

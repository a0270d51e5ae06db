// The drain's life: a missing DLQ is a clear state and is retried, DECLARE_TOPOLOGY declares it,
// SIGTERM finishes the batch in flight and leaves the rest in the queue, retention purges old
// records and keeps the group counts right.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Drainer } from '@/lib/bus/drainer';
import { currentDrainStatus, publishDrainStatus } from '@/lib/bus/drain-status';
import { readLastStoredAt } from '@/lib/bus/derive-dead-letters';
import { purgeExpired } from '@/lib/bus/retention';
import { readHealth } from '@/lib/runtime/read-health';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { makeDeadLetter } from './drain-fixtures';
import { count, dlqTopology, expectExactlyOnce, publishAll, queueDepth, testLogger, waitFor } from './drain-helpers';

let broker: TestBroker;
let db: TestDatabase;
const drainers: Drainer[] = [];

beforeEach(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('drainlife');
});

afterEach(async () => {
  publishDrainStatus(null);
  for (const d of drainers.splice(0)) await d.stop();
  await broker.cleanup();
  await db.drop();
});

function drainer(queue: string, extra: Partial<ConstructorParameters<typeof Drainer>[0]> = {}) {
  const d = new Drainer({ amqpUrl: broker.url, queue, databaseUrl: db.url, logger: testLogger, lingerMs: 5, ...extra });
  drainers.push(d);
  return d;
}

describe('drain lifecycle', () => {
  it('a missing DLQ shows in the status and health, and draining starts once it exists', async () => {
    const queue = uniqueName('drainlife.missing');
    const d = drainer(queue, { missingQueueRetryMs: 300 });
    publishDrainStatus(() => d.status());
    await d.start();
    await waitFor(async () => d.status().dlqMissing, 10_000, 'the missing state');
    expect(d.status()).toMatchObject({ state: 'error', dlqMissing: true, brokerConnected: true });
    expect(d.status().lastError).toContain('DLQ not found: is DECLARE_TOPOLOGY needed?');
    const health = await readHealth(true, broker.url);
    expect(health).toMatchObject({ status: 'degraded', broker: { ok: true }, drain: { state: 'error', dlqMissing: true } });

    await broker.queue(queue);
    broker.channel.sendToQueue(queue, Buffer.from('late'), { messageId: 'late-1' });
    await waitFor(async () => (await count(db.pool, `SELECT count(*) FROM dead_letters WHERE event_key = 'late-1'`)) === 1, 20_000, 'the first dead letter');
    await waitFor(async () => d.status().state === 'running', 10_000, 'running');
    expect(currentDrainStatus()?.dlqMissing).toBe(false);
    const ok = await readHealth(true, broker.url);
    expect(ok).toMatchObject({ status: 'ok', drain: { state: 'running', drainedTotal: 1 } });
    expect(typeof ok.drain.lastDrainedAt).toBe('string');
  });

  it("after a restart (or with the drain in another process) health's last drained is the newest stored dead letter, not never", async () => {
    const queue = uniqueName('drainlife.restart');
    await broker.queue(queue);
    expect(await readLastStoredAt(db.pool)).toBeNull();
    const first = drainer(queue);
    await first.start();
    broker.channel.sendToQueue(queue, Buffer.from('one'), { messageId: 'restart-1' });
    await waitFor(
      async () => (await count(db.pool, `SELECT count(*) FROM dead_letter_inbox`)) + (await count(db.pool, `SELECT count(*) FROM dead_letter_messages`)) >= 1,
      20_000,
      'stored',
    );
    await first.stop();
    // stored, maybe not derived yet: the inbox counts; then derived: the messages count
    const { rows } = await db.pool.query<{ at: Date }>(
      `SELECT received_at AS at FROM dead_letter_inbox UNION ALL SELECT received_at FROM dead_letter_messages ORDER BY at DESC LIMIT 1`,
    );
    const storedAt = rows[0].at.toISOString();
    expect(await readLastStoredAt(db.pool)).toBe(storedAt);

    // a new process's drainer has stored nothing yet
    const second = drainer(queue);
    publishDrainStatus(() => second.status());
    await second.start();
    await waitFor(async () => second.status().state === 'running', 10_000, 'running');
    expect(second.status().lastDrainedAt).toBeNull();
    const health = await readHealth(true, broker.url, null, null, null, await readLastStoredAt(db.pool));
    expect(health.drain).toMatchObject({ state: 'running', drainedTotal: 0, lastDrainedAt: storedAt });
    // a process that runs no drain
    publishDrainStatus(null);
    expect((await readHealth(true, broker.url, null, null, null, await readLastStoredAt(db.pool))).drain.lastDrainedAt).toBe(storedAt);
  });

  it('DECLARE_TOPOLOGY declares the exchange (topic) and the DLQ (durable, 7-day TTL)', async () => {
    const exchange = uniqueName('drainlife.events');
    const queue = uniqueName('drainlife.dlq');
    broker.track('exchange', exchange);
    broker.track('queue', queue);
    const d = drainer(queue, { exchange, declareTopology: true });
    await d.start();
    await waitFor(async () => d.status().state === 'running', 10_000, 'running');
    // Re-declaring with the same arguments succeeds only if they match exactly.
    const ch = await broker.connection.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.assertQueue(queue, { durable: true, arguments: { 'x-message-ttl': 604_800_000 } });
    await ch.close();
  });

  it('SIGTERM: the batch in flight is committed and acked, the rest stays in the DLQ, nothing twice', async () => {
    const { dlq } = await dlqTopology(broker, 'drainlife');
    const n = 8000;
    await publishAll(
      broker.connection,
      dlq,
      Array.from({ length: n }, (_, i) => makeDeadLetter(i)),
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(process.cwd(), 'scripts/run-drainer.ts'),
        JSON.stringify({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, prefetch: 100, batchSize: 20 }),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'error' } },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(async () => (await count(db.pool, 'SELECT count(*) FROM dead_letter_messages')) >= 200, 60_000, 'progress');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stored = await count(db.pool, 'SELECT count(*) FROM dead_letter_messages');
    expect(stored).toBeLessThan(n);
    // every message is either stored (and acked) or back in the queue, never both
    await waitFor(async () => (await queueDepth(broker, dlq)) === n - stored, 10_000, 'the rest back in the queue');
    const { actual, expected } = await expectExactlyOnce(db.pool, stored);
    expect(actual).toEqual(expected);
  }, 120_000);

  it('retention purges records older than RETENTION_DAYS in batches and keeps group counts right', async () => {
    const { dlq } = await dlqTopology(broker, 'drainlife');
    const now = Math.floor(Date.now() / 1000);
    const old = Array.from({ length: 30 }, (_, i) => makeDeadLetter(i, { timeSeconds: now - 10 * 86_400 }));
    const recent = Array.from({ length: 12 }, (_, i) => makeDeadLetter(i, { timeSeconds: now - 60 }));
    await publishAll(broker.connection, dlq, [...old, ...recent]);
    const d = drainer(dlq);
    await d.start();
    await waitFor(async () => (await count(db.pool, 'SELECT count(*) FROM dead_letters')) === 42, 20_000, 'all stored');
    // a death time 10 days old (x-death keeps a queue's first one) on a message received just now:
    // kept, until nothing has happened to it for RETENTION_DAYS either
    expect(await purgeExpired(db.pool, { retentionDays: 7, batchSize: 7, pauseMs: 1 })).toBe(0);
    expect(await count(db.pool, 'SELECT count(*) FROM dead_letters')).toBe(42);
    await db.pool.query(`UPDATE dead_letters SET updated_at = now() - interval '8 days' WHERE last_failed_at < now() - interval '7 days'`);
    const purged = await purgeExpired(db.pool, { retentionDays: 7, batchSize: 7, pauseMs: 1 });
    expect(purged).toBe(30);
    expect(await count(db.pool, 'SELECT count(*) FROM dead_letters')).toBe(12);
    expect(await count(db.pool, 'SELECT count(*) FROM dead_letter_messages')).toBe(12);
    expect(await count(db.pool, 'SELECT count(*) FROM dead_letter_history')).toBe(12);
    expect(await count(db.pool, 'SELECT sum(count) FROM failure_groups')).toBe(12);
    expect(await count(db.pool, 'SELECT sum(pending_count) FROM failure_groups')).toBe(12);
    expect(await count(db.pool, 'SELECT sum(count) FROM failure_group_hours')).toBe(12);
  });
});

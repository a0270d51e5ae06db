// Auto-pause with a REAL failing consumer (issue 17): 200 dead letters drained by the real
// drainer from a consumer that rejects everything, a bulk republish of them at 20 msg/s, and the
// replays coming back the way production sees them (consumer nack -> DLX -> DLQ -> drain). The
// drain marks them failedAgainAfterRetry and the runner's returns check pauses the job, with its
// reason, long before all 200 were sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { until } from '../helpers/until';
import { failingConsumer, type FailingConsumer } from './failing-consumer';
import { testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const, kind: 'user' as const };
const COUNT = 200;
const RATE = 20;

describe('bulk auto-pause against a consumer that keeps failing', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let runner: BulkRunner;
  let consumer: FailingConsumer;

  beforeAll(async () => {
    db = await createTestDatabase('bulk_auto_pause');
    process.env.DATABASE_URL = db.url; // the server modules' Prisma client
    broker = await createTestBroker();
    const ledger = uniqueName('autopause.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
    // the runner's defaults for the threshold (5 returns and 10% of those sent), checked every 200 ms
    runner = new BulkRunner(rt, { pollMs: 100, returnCheckEveryMs: 200 }).start();
    consumer = await failingConsumer(broker, db.url, 'autopause');
  });

  afterAll(async () => {
    await runner?.stop();
    await consumer?.stop();
    await rt?.close();
    const { prisma } = await import('@/lib/server/db');
    await prisma.$disconnect();
    await broker?.cleanup();
    await db?.drop();
  });

  it('pauses itself with its reason before all are sent; the replays are marked failed again after retry', async () => {
    await consumer.publish(COUNT);
    const groupOf = async () =>
      (await db.pool.query<{ group_id: string; n: number }>(`SELECT "group_id", count(*)::int AS n FROM "dead_letters" GROUP BY "group_id"`)).rows;
    const [group] = await until('the first deaths drained', groupOf, (rows) => rows.length === 1 && rows[0].n === COUNT, { timeoutMs: 60_000, everyMs: 200 });

    const { createBulkJob } = await import('@/lib/actions/create-bulk-job');
    const { getBulkJob } = await import('@/lib/server/bulk/get-bulk-job');
    const { controlBulkJob } = await import('@/lib/actions/control-bulk-job');
    const { jobId } = (await createBulkJob(operator, {
      action: 'republish',
      selection: { groupId: group.group_id },
      reason: 'the consumer is fixed (it is not)',
      ratePerSecond: RATE,
      expectedCount: COUNT,
    })) as { jobId: string };
    runner.poke();
    const job = await until(
      'the auto-pause',
      () => getBulkJob(jobId),
      (j) => j.status === 'paused' || j.status === 'done',
      { timeoutMs: 60_000, everyMs: 100 },
    );

    expect(job.status).toBe('paused');
    expect(job.pauseReason).toMatch(/^Auto-paused: \d+ of \d+ republished messages died again \(the consumer is still failing\)/);
    expect(job.returned).toBeGreaterThanOrEqual(5);
    // paused well before the end: at 20 msg/s the whole job takes 10 s
    expect(job.succeeded).toBeLessThan(COUNT);
    expect(job.remaining).toBeGreaterThan(0);

    // the replays came back through the real drain: marked, with a death of their own each
    const { rows } = await db.pool.query<{ marked: number; back: number }>(
      `SELECT count(*) FILTER (WHERE "failed_again_after_retry")::int AS marked,
              count(*) FILTER (WHERE "attempts" > 1 AND "republish_count" > 0)::int AS back FROM "dead_letters"`,
    );
    expect(rows[0].marked).toBeGreaterThanOrEqual(job.returned);
    expect(rows[0].marked).toBe(rows[0].back);
    expect(consumer.rejected()).toBeGreaterThanOrEqual(COUNT + job.returned);
    const { rows: audit } = await db.pool.query(`SELECT "actor", "reason" FROM "audit_log" WHERE "target" = $1 AND "action" = 'bulk-auto-pause'`, [
      `bulk-job:${jobId}`,
    ]);
    expect(audit).toEqual([{ actor: 'system', reason: job.pauseReason }]);
    await controlBulkJob(operator, { id: jobId, control: 'cancel' });
  });
});

// Retention also ages out the republish outbox and finished bulk jobs (lib/bus/retention.ts):
// settled intents and finished jobs (with their items) older than RETENTION_DAYS go; unfinished
// intents and jobs that are not over stay whatever their age, and so do the audit entries.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '@/lib/bus/retention';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGroupJob, insertIntent, seedDeadLetters } from './republish-fixtures';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('retention');
});

afterAll(async () => {
  await db?.drop();
});

const ids = async (sql: string) => (await db.pool.query<{ id: string }>(sql)).rows.map((r) => r.id).sort();

describe('retention of the outbox and bulk jobs', () => {
  it('purges settled intents and finished jobs older than the retention, nothing else', async () => {
    const seeded = await seedDeadLetters(db.pool, { queue: 'retention.q', count: 6 });
    const owner = `test-${randomUUID()}`;
    const intent = async (i: number, state: string, settledDaysAgo: number | null) => {
      const id = await insertIntent(db.pool, { deadLetterId: seeded.ids[i], queue: 'retention.q', owner });
      await db.pool.query(
        `UPDATE "republish_intents" SET "state" = $2, "settled_at" = now() - make_interval(days => $3::int),
           "created_at" = now() - make_interval(days => 30) WHERE "id" = $1`,
        [id, state, settledDaysAgo ?? 0],
      );
      if (settledDaysAgo === null) await db.pool.query(`UPDATE "republish_intents" SET "settled_at" = NULL WHERE "id" = $1`, [id]);
      return id;
    };
    await intent(0, 'done', 10);
    await intent(1, 'failed', 8);
    const recentDone = await intent(2, 'done', 1);
    const oldPending = await intent(3, 'pending', null); // a month old and unfinished: recovery's

    const job = async (status: string, finishedDaysAgo: number) => {
      const { jobId } = await createGroupJob(db.pool, { groupId: seeded.groupId, ratePerSecond: 100 });
      await db.pool.query(`UPDATE "bulk_jobs" SET "status" = $2, "finished_at" = now() - make_interval(days => $3::int) WHERE "id" = $1`, [
        jobId,
        status,
        finishedDaysAgo,
      ]);
      return jobId;
    };
    const oldDoneJob = await job('done', 9);
    await job('cancelled', 20);
    const recentJob = await job('done', 2);
    const pausedJob = await job('paused', 40);
    await db.pool.query(`INSERT INTO "audit_log" ("actor", "action", "target") VALUES ('system', 'bulk-finish', $1)`, [`bulk-job:${oldDoneJob}`]);

    await purgeExpired(db.pool, { retentionDays: 7, batchSize: 1, pauseMs: 1 });

    expect(await ids(`SELECT "id"::text AS id FROM "republish_intents"`)).toEqual([recentDone, oldPending].sort());
    expect(await ids(`SELECT "id"::text AS id FROM "bulk_jobs"`)).toEqual([recentJob, pausedJob].sort());
    const { rows: items } = await db.pool.query<{ job_id: string; n: number }>(`SELECT "job_id"::text, count(*)::int AS n FROM "bulk_job_items" GROUP BY 1`);
    expect(new Map(items.map((r) => [r.job_id, r.n]))).toEqual(
      new Map([
        [recentJob, 6],
        [pausedJob, 6],
      ]),
    );
    expect(await ids(`SELECT "id"::text AS id FROM "dead_letters"`)).toEqual([...seeded.ids].sort()); // recent: kept
    expect(await ids(`SELECT "target" AS id FROM "audit_log"`)).toEqual([`bulk-job:${oldDoneJob}`]);
  });
});

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

describe('retention of notifications', () => {
  it('purges settled notification events older than the retention with their deliveries, keeps one still retried', async () => {
    const { rows: ch } = await db.pool.query<{ id: string }>(
      `INSERT INTO notification_channels (kind, name, url, secret, events, created_by) VALUES ('webhook', 'r', 'http://127.0.0.1:9/x', 's', ARRAY['test'], 'test') RETURNING id`,
    );
    const event = async (daysAgo: number, status: 'delivered' | 'failed' | 'pending') => {
      const { rows } = await db.pool.query<{ id: string }>(
        `INSERT INTO notification_outbox (type, channel_id, created_at, dispatched_at) VALUES ('test', $1, now() - make_interval(days => $2::int), now()) RETURNING id`,
        [ch[0].id, daysAgo],
      );
      const { rows: d } = await db.pool.query<{ id: string }>(
        `INSERT INTO notification_deliveries (outbox_id, channel_id, type, status) VALUES ($1, $2, 'test', $3) RETURNING id`,
        [rows[0].id, ch[0].id, status],
      );
      await db.pool.query(`INSERT INTO notification_attempts (delivery_id, status_code, error, duration_ms) VALUES ($1, 500, 'HTTP 500', 3)`, [d[0].id]);
      return rows[0].id;
    };
    await event(10, 'delivered');
    await event(9, 'failed');
    const retried = await event(10, 'pending');
    const recent = await event(1, 'delivered');
    await purgeExpired(db.pool, { retentionDays: 7, batchSize: 1, pauseMs: 1 });
    expect(await ids(`SELECT id FROM notification_outbox`)).toEqual([retried, recent].sort());
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM notification_deliveries`)).rows[0].n).toBe(2);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM notification_attempts`)).rows[0].n).toBe(2);
  });
});

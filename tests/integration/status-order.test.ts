// dead_letters_by_status (migration 20261128000000_status_order) is a trigger-kept copy of each
// dead letter's (status, last_failed_at): lists filtered by status read it, so it must follow
// every insert, update, delete and truncate of dead_letters, whoever makes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedDeadLetter } from './triage-seed';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('statusorder');
});

afterAll(async () => {
  await db?.drop();
});

/** Rows of one table missing from the other, both ways (empty when they agree). */
async function differences(): Promise<{ missing: number; extra: number; copies: number }> {
  const { rows } = await db.pool.query<{ missing: number; extra: number; copies: number }>(
    `SELECT
       (SELECT count(*)::int FROM (SELECT "id", "status", "last_failed_at" FROM "dead_letters"
          EXCEPT SELECT "dead_letter_id", "status", "last_failed_at" FROM "dead_letters_by_status") m) AS missing,
       (SELECT count(*)::int FROM (SELECT "dead_letter_id", "status", "last_failed_at" FROM "dead_letters_by_status"
          EXCEPT SELECT "id", "status", "last_failed_at" FROM "dead_letters") e) AS extra,
       (SELECT count(*)::int FROM "dead_letters_by_status") AS copies`,
  );
  return rows[0];
}

describe('the status order copy', () => {
  it('follows inserts, status and time updates, upserts, deletes and truncate', async () => {
    const base = Date.parse('2026-11-20T12:00:00.000Z');
    const seeded = [];
    for (let i = 0; i < 12; i++) {
      seeded.push(await seedDeadLetter(db.pool, { status: i % 3 === 0 ? 'discarded' : 'pending', lastFailedAt: new Date(base + i * 60_000) }));
    }
    expect(await differences()).toEqual({ missing: 0, extra: 0, copies: 12 });

    // a settle (status only), a re-death (status and time), an update that changes neither
    await db.pool.query(`UPDATE "dead_letters" SET "status" = 'republished' WHERE "id" = ANY($1::uuid[])`, [seeded.slice(0, 4).map((s) => s.id)]);
    await db.pool.query(`UPDATE "dead_letters" SET "status" = 'pending', "last_failed_at" = "last_failed_at" + interval '1 hour' WHERE "id" = $1`, [
      seeded[1].id,
    ]);
    await db.pool.query(`UPDATE "dead_letters" SET "attempts" = "attempts" + 1 WHERE "id" = $1`, [seeded[5].id]);
    expect(await differences()).toEqual({ missing: 0, extra: 0, copies: 12 });
    const { rows } = await db.pool.query(`SELECT "status" FROM "dead_letters_by_status" WHERE "dead_letter_id" = ANY($1::uuid[]) ORDER BY "status"`, [
      [seeded[0].id, seeded[1].id],
    ]);
    expect(rows.map((r) => r.status)).toEqual(['pending', 'republished']);

    // the drain's upsert form: ON CONFLICT DO UPDATE fires the update trigger
    await db.pool.query(
      `INSERT INTO "dead_letters" SELECT * FROM "dead_letters" WHERE "id" = $1
       ON CONFLICT ("id") DO UPDATE SET "status" = 'discarded', "last_failed_at" = EXCLUDED."last_failed_at" + interval '1 minute'`,
      [seeded[6].id],
    );
    expect(await differences()).toEqual({ missing: 0, extra: 0, copies: 12 });

    // a statement that fails leaves both as they were
    await expect(
      db.pool.query(`UPDATE "dead_letters" SET "status" = 'republished', "attempts" = 1 / ("attempts" - "attempts") WHERE "id" = $1`, [seeded[7].id]),
    ).rejects.toThrow();
    expect(await differences()).toEqual({ missing: 0, extra: 0, copies: 12 });

    await db.pool.query(`DELETE FROM "dead_letters" WHERE "id" = ANY($1::uuid[])`, [seeded.slice(8).map((s) => s.id)]);
    expect(await differences()).toEqual({ missing: 0, extra: 0, copies: 8 });

    await db.pool.query(`TRUNCATE "dead_letters" CASCADE`);
    expect(await differences()).toEqual({ missing: 0, extra: 0, copies: 0 });
  });

  it('a status change of dead_letters is a HOT update (no new entries in its indexes)', async () => {
    const seeded = [];
    for (let i = 0; i < 5; i++) seeded.push(await seedDeadLetter(db.pool, { status: 'pending' }));
    const client = await db.pool.connect();
    try {
      // the backend's counts not yet flushed to the statistics: read before and after, in one transaction
      const counts = async () => {
        const { rows } = await client.query<{ hot: string; all: string }>(
          `SELECT pg_stat_get_xact_tuples_hot_updated('"dead_letters"'::regclass) AS hot, pg_stat_get_xact_tuples_updated('"dead_letters"'::regclass) AS all`,
        );
        return { hot: Number(rows[0].hot), all: Number(rows[0].all) };
      };
      await client.query('BEGIN');
      const before = await counts();
      const { rowCount } = await client.query(
        `UPDATE "dead_letters" SET "status" = 'republished', "republish_count" = 1, "updated_at" = now() WHERE "id" = ANY($1::uuid[])`,
        [seeded.map((s) => s.id)],
      );
      const after = await counts();
      await client.query('COMMIT');
      expect(rowCount).toBe(5);
      expect(after.all - before.all).toBe(5);
      expect(after.hot - before.hot).toBe(5);
    } finally {
      client.release();
    }
  });
});

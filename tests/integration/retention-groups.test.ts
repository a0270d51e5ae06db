// Retention and failure groups (lib/bus/retention.ts): a group whose dead letters have all been
// purged is removed only when nobody triaged it. Notes, history, an assignee or a status other
// than open are what an operator learned about a bug; they outlive the dead letters, and a
// resolved group must still be there to be reopened as a regression when the bug comes back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '@/lib/bus/retention';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('retgroups');
});

afterAll(async () => {
  await db?.drop();
});

/** An emptied group last seen `daysAgo` days ago; returns its id. */
async function group(name: string, daysAgo: number, set: { status?: string; count?: number } = {}): Promise<string> {
  const id = `${name}-${randomUUID()}`;
  await db.pool.query(
    `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at, status)
     VALUES ($1, 'user.created', 'q', 'rejected', $1, $3, 0, now() - make_interval(days => $2::int + 1), now() - make_interval(days => $2::int), $4)`,
    [id, daysAgo, set.count ?? 0, set.status ?? 'open'],
  );
  return id;
}

describe('retention of failure groups', () => {
  it('removes an old emptied group nobody triaged, keeps the triaged, the recent and the non-empty ones', async () => {
    const untouched = await group('untouched', 10);
    const noted = await group('noted', 10);
    await db.pool.query(`INSERT INTO failure_group_notes (group_id, author, text) VALUES ($1, 'olivia@example.com', 'root cause: the SMTP relay')`, [noted]);
    const withHistory = await group('history', 10);
    await db.pool.query(`INSERT INTO failure_group_history (group_id, actor, action) VALUES ($1, 'olivia@example.com', 'acknowledged')`, [withHistory]);
    const resolved = await group('resolved', 10, { status: 'resolved' });
    const assigned = await group('assigned', 10);
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO users (email, name, role, password_hash) VALUES ($1, 'Olivia', 'operator', 'x') RETURNING id`,
      [`olivia-${randomUUID()}@example.com`],
    );
    await db.pool.query(`UPDATE failure_groups SET assignee_id = $2 WHERE id = $1`, [assigned, rows[0].id]);
    const recent = await group('recent', 2);
    const counted = await group('counted', 10, { count: 3 });

    await purgeExpired(db.pool, { retentionDays: 7 });

    const left = (await db.pool.query<{ id: string }>(`SELECT id FROM failure_groups`)).rows.map((r) => r.id);
    expect(left).not.toContain(untouched);
    expect(left.sort()).toEqual([noted, withHistory, resolved, assigned, recent, counted].sort());
    expect((await db.pool.query(`SELECT text FROM failure_group_notes WHERE group_id = $1`, [noted])).rows).toEqual([{ text: 'root cause: the SMTP relay' }]);
  });
});

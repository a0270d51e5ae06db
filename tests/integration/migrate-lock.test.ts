// The start's migration waits for another process's migration for a bounded time, then fails
// naming the lock, instead of hanging without a word; once the lock is free it goes on.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@/lib/db/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

describe('migration lock', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migrate_lock');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('fails naming the lock after its wait while another process holds it, and migrates once it is free', async () => {
    // another process in the middle of a migration: Prisma's advisory lock held on this database
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      const started = Date.now();
      await expect(migrate(db.url, undefined, { lockWaitMs: 1500 })).rejects.toThrow(/held the migration lock .*advisory lock 72707369/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      await holder.query('SELECT pg_advisory_unlock(72707369)');
      // every migration was applied when the database was made: nothing left to do
      await expect(migrate(db.url, undefined, { lockWaitMs: 1500 })).resolves.toEqual([]);
    } finally {
      await holder.end();
    }
  });
});

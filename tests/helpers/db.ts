// Each test file makes its own database, migrated from prisma/migrations, and drops it after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, ensureDatabase } from '@/lib/db/ensure-database';
import { migrate } from '@/lib/db/migrate';
import { guardPool } from '@/lib/db/guard-pool';
import { ignoreCleanupError } from './cleanup';

export const TEST_PG_SERVER = process.env.TEST_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `eventdesk_t_${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const url = `${TEST_PG_SERVER}/${name}`;
  await ensureDatabase(url);
  await migrate(url);
  const pool = guardPool(new pg.Pool({ connectionString: url, max: 4 }), () => {});
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end().catch(ignoreCleanupError);
      await dropDatabase(url);
    },
  };
}

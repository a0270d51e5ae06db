// Applies prisma/migrations/*/migration.sql in order, the way `prisma migrate deploy` would:
// under Prisma's advisory lock, one transaction per file, recorded in `_prisma_migrations`
// with Prisma's checksum, so the real `prisma migrate status` agrees where its engine exists.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/** The key `prisma migrate` itself locks with. */
const PRISMA_ADVISORY_LOCK = 72707369;

export const MIGRATIONS_DIR = path.join(process.cwd(), 'prisma', 'migrations');

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Longest wait for another process's migration (a deploy of several processes at once). */
export const MIGRATION_LOCK_WAIT_MS = 120_000;
/**
 * Longest a migration statement waits for a table's lock: a DDL statement queued behind a long
 * transaction holds every query of the running processes behind it, so it gives up instead
 * (the start fails with that error, and succeeds once the transaction is gone).
 */
const MIGRATION_LOCK_TIMEOUT = '30s';

/**
 * Takes Prisma's migration lock, waiting up to lockWaitMs for the process that holds it (saying
 * so once), then fails naming it, rather than hanging the start without a word.
 */
async function takeMigrationLock(client: pg.Client, lockWaitMs: number): Promise<void> {
  const deadline = Date.now() + lockWaitMs;
  for (let said = false; ;) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PRISMA_ADVISORY_LOCK]);
    if (rows[0]?.ok) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `another process has held the migration lock for over ${Math.round(lockWaitMs / 1000)} s (PostgreSQL advisory lock ${PRISMA_ADVISORY_LOCK}: see pg_locks for its pid): a migration still running, or a stuck one`,
      );
    }
    if (!said) process.stderr.write('waiting for another process to finish migrating the database...\n');
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR, o: { lockWaitMs?: number } = {}): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  // a backend ended while the client is idle: its queries fail, the process does not crash
  client.on('error', () => {});
  await client.connect();
  const applied: string[] = [];
  try {
    await takeMigrationLock(client, o.lockWaitMs ?? MIGRATION_LOCK_WAIT_MS);
    await client.query(`SET lock_timeout = '${MIGRATION_LOCK_TIMEOUT}'`);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    for (const m of readMigrations(dir)) {
      const previous = done.get(m.name);
      if (previous) {
        if (previous !== m.checksum) {
          throw new Error(`migration ${m.name} was changed after it was applied (checksum differs)`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => {
      /* a dead connection has released its advisory lock already */
    });
    await client.end();
  }
}

// The derivation when PostgreSQL drops its connections (issue 20, and the hardening rule "every
// database client: what if it dies now?"): the deriver's backends are terminated again and again
// while it works, at least once while it reads a batch's messages (its transaction open and idle
// while Node reads, or its read-ahead fetching), and it still derives every stored row exactly
// once: every record once, every count exact, no row set aside, and no error left once it is done.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deriver } from '@/lib/bus/deriver';
import { rawDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { writeRaw } from '@/lib/bus/write-raw';
import { guardPool } from '@/lib/db/guard-pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { asDelivery, makeDeadLetter } from './drain-fixtures';
import { count, expectExactlyOnce, testLogger, waitFor } from './drain-helpers';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('derivelost');
});

afterAll(async () => {
  await db?.drop();
});

const APP = 'test-deriver-lost';

/**
 * Terminates every backend of the deriver's pool; returns the queries of those that were busy (in
 * a query, or inside a transaction while Node works): an idle pooled one only shows its last.
 */
async function terminateDeriver(): Promise<{ killed: number; busy: string[] }> {
  // terminated in the select list: a WHERE may call it before the other conditions
  const { rows } = await db.pool.query<{ query: string; state: string; killed: boolean }>(
    `SELECT query, state, pg_terminate_backend(pid) AS killed FROM pg_stat_activity
      WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()`,
    [db.name, APP],
  );
  const killed = rows.filter((r) => r.killed);
  return { killed: killed.length, busy: killed.filter((r) => r.state !== 'idle').map((r) => r.query) };
}

const derived = () => count(db.pool, 'SELECT derived_total FROM derivation_state');

/** The reading stage's statements (lib/bus/read-inbox.ts): the batch's keys, then its stored messages. */
const isReading = (query: string) => query.includes('dead_letter_inbox x') && !query.includes('DELETE');

describe('the derivation when its database connections drop', () => {
  it('backends terminated while it reads and derives: derived again, every record once, counts exact', async () => {
    const n = 30_000;
    const client = await db.pool.connect();
    try {
      for (let s = 0; s < n; s += 1000) {
        const batch = Array.from({ length: 1000 }, (_, k) => rawDeadLetter(asDelivery(makeDeadLetter(s + k, { invalidShare: 0.1 }), s + k + 1)));
        await writeRaw(client, batch, 'edu.events.dlq');
      }
    } finally {
      client.release();
    }

    const pool = new pg.Pool({ connectionString: db.url, max: 4, application_name: APP });
    guardPool(pool, () => {});
    const deriver = new Deriver(pool, testLogger, { batchSize: 2000, idleMs: 100 }).start();
    try {
      let kills = 0;
      let duringRead = 0;
      // until at least three rounds of kills, one of them in the reading stage (or the work is done)
      const deadline = Date.now() + 60_000;
      while ((kills < 3 || duringRead === 0) && Date.now() < deadline && (await derived()) < n) {
        const { killed, busy } = await terminateDeriver();
        if (killed) kills++;
        duringRead += busy.filter(isReading).length;
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 150));
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(duringRead).toBeGreaterThan(0);

      await waitFor(async () => (await derived()) >= n, 120_000, 'every stored row derived');
      const { actual, expected } = await expectExactlyOnce(db.pool, n);
      expect(actual).toEqual(expected);
      expect(await count(db.pool, `SELECT count(*) FROM dead_letters WHERE status = 'unreadable'`)).toBe(0);
      await waitFor(async () => deriver.lastError === null, 10_000, 'the deriver without an error');
    } finally {
      await deriver.stop();
      await pool.end();
    }
  }, 240_000);
});

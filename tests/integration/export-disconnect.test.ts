// The export against the production server (next start): a client that stops reading holds the
// export at a few pages (backpressure through the socket), and a client that goes away stops it:
// no page query after that. Pages are counted by PostgreSQL's own statistics: each page is one
// index scan of dead_letters (pg_stat_user_tables.idx_scan, flushed by the server's backends when idle).
import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers/amqp';
import { bearer, createTestToken } from '../helpers/auth';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startNextServer, type RunningServer } from '../helpers/next-server';

// 120,000 rows of ~2 KB (240 MB of CSV): what the socket and Next's response streams buffer for a
// stalled client is bounded in bytes (~10-12 MB here: 5-6 pages of 2 MB measured), so the file
// must be well over that for "holds it at a few pages" to be seen
const N = 120_000;
const PAGES = N / 1_000;
let db: TestDatabase;
let server: RunningServer;
let token: Record<string, string>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A backend that was busy less than a second ago flushes its statistics when it has been idle for
 * 10 s (PostgreSQL 15's PGSTAT_IDLE_INTERVAL): a count read sooner can miss the last pages.
 */
const SETTLE_MS = 11_000;

/** index scans of dead_letters so far, once the server's backends have flushed their statistics */
async function scans(settleMs = 2_500): Promise<number> {
  await sleep(settleMs);
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: string }>(`SELECT idx_scan::text AS n FROM pg_stat_user_tables WHERE relname = 'dead_letters'`);
    return Number(rows[0].n);
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  db = await createTestDatabase('exportdisc');
  server = await startNextServer({
    DATABASE_URL: db.url,
    EVENTS_EXCHANGE: uniqueName('exportdisc.events'),
    DLQ_QUEUE: uniqueName('exportdisc.dlq'),
    DECLARE_TOPOLOGY: 'false',
    DRAIN: 'false',
    TAP: 'false',
    LOG_LEVEL: 'warn',
  });
  token = bearer(await createTestToken(db.url, 'operator'));
  await db.pool.query(
    `INSERT INTO dead_letters (event_key, event_key_source, event_id, event_type, queue, reason, status, first_failed_at, last_failed_at,
       error_message, validation_status, group_id, body_size, body_sha256)
     SELECT 'd-' || i, 'event-id', 'd-' || i, 'user.created', 'disc', 'rejected', 'pending', now() - i * interval '1 second', now() - i * interval '1 second',
       repeat('y', 2000), 'valid', 'g-disc', 0, ''
     FROM generate_series(1, $1::int) AS i`,
    [N],
  );
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('export over HTTP', () => {
  it('a client that stops reading holds it at a few pages; one that goes away stops it', async () => {
    const before = await scans();
    // node:http, paused: a client that stops reading the socket. (A fetch() whose body is not read
    // is not one: undici goes on reading the socket into its own queue, 105 of 120 pages within
    // 10 s here, so what it measured was undici's buffer, and the server's backpressure only by luck.)
    const req = get(`${server.url}/api/dead-letters/export?format=csv&queue=disc`, { headers: token });
    const res = await new Promise<IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject));
    expect(res.statusCode).toBe(200);
    let bytes = 0;
    await new Promise<void>((resolve) => {
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes < 3 * 2 ** 20) return; // ~1.5 pages, then the client reads nothing
        res.pause();
        resolve();
      });
    });
    const whileStalled = (await scans(SETTLE_MS)) - before;
    req.destroy();
    const afterGone = (await scans(SETTLE_MS)) - before;
    const later = (await scans(SETTLE_MS)) - before;
    console.log(`pages read: ${whileStalled} while the client stalled, ${afterGone} after it went away, ${later} ${SETTLE_MS / 1000} s later, of ${PAGES}`);
    expect(whileStalled).toBeLessThan(PAGES / 2); // the socket's and the streams' buffers, not the 240 MB file
    expect(afterGone).toBeLessThanOrEqual(whileStalled + 2);
    expect(later).toBe(afterGone);
  }, 120_000);

  it('the whole export, for comparison, reads every page', async () => {
    const before = await scans();
    const res = await fetch(`${server.url}/api/dead-letters/export?format=ndjson&queue=disc`, { headers: token });
    const lines = (await res.text()).trimEnd().split('\n').length;
    expect(lines).toBe(N);
    // every row arrived (above); idx_scan, a statistics counter the backends flush on their own
    // schedule, lags behind under load (55-72 of 80 pages seen), so it is only checked to have
    // moved past what the stalled client above may cost
    expect((await scans()) - before).toBeGreaterThan(PAGES / 2);
  }, 120_000);
});

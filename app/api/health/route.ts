// GET /api/health (no auth): database, broker and drain state (README, HTTP API); 503 when the
// database is down. Fast on purpose, its reads run at once and each is bounded (HEALTH_READ_MS):
// one SELECT 1, the search backlog from its id range, the derivation lag (the inbox's rows,
// counted up to a cap), when the newest dead letter was stored (two index probes), the live
// processes (a few rows), and in-memory state; no table counts.
import { withApi, json } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { readHealth } from '@/lib/runtime/read-health';
import { searchBacklogState } from '@/lib/bus/search-indexer';
import { readDerivationLag, readLastStoredAt } from '@/lib/bus/derive-dead-letters';
import { prisma, prismaQueryable } from '@/lib/server/db';
import { listProcesses } from '@/lib/server/processes/list-processes';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Longest health waits for any one of its reads (they run at once: health answers within it). */
const HEALTH_READ_MS = 2000;

/** `read`'s value, or `late` when it fails or takes past HEALTH_READ_MS (a locked table, a dead connection). */
async function within<T>(read: () => Promise<T>, late: T): Promise<{ value: T; answered: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ value: T; answered: boolean }>(
    (resolve) => (timer = setTimeout(() => resolve({ value: late, answered: false }), HEALTH_READ_MS)),
  );
  const reading = read().then(
    (value) => ({ value, answered: true }),
    () => ({ value: late, answered: false }),
  );
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The read of `key` in flight, or a new one: concurrent health requests (a liveness probe, a
 * readiness probe, a monitor) share each read until it settles, so health holds at most one
 * connection per read however often it is asked, even while a locked table keeps its reads
 * waiting past the deadline (each abandoned read kept its connection until lock_timeout: a few
 * probes at once took the pool).
 */
const inFlight = new Map<string, Promise<unknown>>();
function shared<T>(key: string, read: () => Promise<T>): () => Promise<T> {
  return () => {
    let p = inFlight.get(key) as Promise<T> | undefined;
    if (!p) {
      p = read();
      inFlight.set(key, p);
      const forget = () => inFlight.delete(key);
      p.then(forget, forget);
    }
    return p;
  };
}

// All at once, each within HEALTH_READ_MS: one after the other, each waiting out a locked table's
// 5 s lock timeout, health took 10 s and said "ok" meanwhile (found by an adversarial probe).
export const GET = withApi(async () => {
  const db = prismaQueryable();
  const [ping, search, derivation, processes, lastStoredAt] = await Promise.all([
    within(
      shared('ping', () => prisma.$queryRaw`SELECT 1`.then(() => true)),
      false,
    ),
    within(
      shared('search', () => searchBacklogState(db)),
      null,
    ),
    within(
      shared('derivation', () => readDerivationLag(db)),
      null,
    ),
    within(
      shared('processes', () => listProcesses()),
      null,
    ),
    within(
      shared('last-stored', () => readLastStoredAt(db)),
      null,
    ),
  ]);
  const databaseOk = ping.value;
  const body = await readHealth(databaseOk, env().AMQP_URL, search.value, processes.value, derivation.value, lastStoredAt.value);
  // a database that answers SELECT 1 but not the drain's own tables in time (locked, overloaded)
  // is not a healthy drain: what could not be read is null, and the status says so
  if (databaseOk && [search, derivation, processes, lastStoredAt].some((r) => !r.answered)) body.status = 'degraded';
  return json(body, { status: body.database.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});

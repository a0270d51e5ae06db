// GET /api/health (no auth): database, broker and drain state (README, HTTP API); 503 when the
// database is down. Fast on purpose: one SELECT 1, the search backlog from its id range, the
// derivation lag (the inbox's rows, counted up to a cap), when the newest dead letter was stored
// (two index probes), the live processes (a few rows), and in-memory state; no table counts.
import { withApi, json } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { readHealth } from '@/lib/runtime/read-health';
import { searchBacklogState } from '@/lib/bus/search-indexer';
import { readDerivationLag, readLastStoredAt } from '@/lib/bus/derive-dead-letters';
import { prisma, prismaQueryable } from '@/lib/server/db';
import { listProcesses } from '@/lib/server/processes/list-processes';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

async function pingDatabase(timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const ping = prisma.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const GET = withApi(async () => {
  const databaseOk = await pingDatabase();
  const search = databaseOk ? await searchBacklogState(prismaQueryable()).catch(() => null) : null;
  const derivation = databaseOk ? await readDerivationLag(prismaQueryable()).catch(() => null) : null;
  const processes = databaseOk ? await listProcesses().catch(() => null) : null;
  const lastStoredAt = databaseOk ? await readLastStoredAt(prismaQueryable()).catch(() => null) : null;
  const body = await readHealth(databaseOk, env().AMQP_URL, search, processes, derivation, lastStoredAt);
  return json(body, { status: body.database.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});

// GET /api/health (no auth): database, broker and drain state (interface.md); 503 when the
// database is down. Fast on purpose: one SELECT 1 and in-memory state, no table counts.
import { withApi, json } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { readHealth } from '@/lib/runtime/read-health';
import { prisma } from '@/lib/server/db';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

async function pingDatabase(timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const ping = prisma.$queryRaw`SELECT 1`.then(() => true, () => false);
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const GET = withApi(async () => {
  const body = await readHealth(await pingDatabase(), env().AMQP_URL);
  return json(body, { status: body.database.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});

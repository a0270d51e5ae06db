// GET /api/health (no auth). STUB until the drain lands: database check only.
import { withApi, json } from '@/lib/api/handler';
import { prisma } from '@/lib/server/db';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async () => {
  let database = { ok: true };
  try {
    await prisma.$queryRaw`SELECT 1`;
  } catch {
    database = { ok: false };
  }
  const body = { status: database.ok ? 'ok' : 'degraded', database, broker: { ok: false }, drain: { state: 'stopped', dlqDepth: null, drainedTotal: 0, lastDrainedAt: null } };
  return json(body, { status: database.ok ? 200 : 503 });
});

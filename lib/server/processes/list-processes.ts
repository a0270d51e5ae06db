// The live processes: rows whose heartbeat is under PROCESS_LIVE_MS old (a process that died leaves its
// row behind until the heartbeats of the others purge it). Oldest first, so the list is stable.
import 'server-only';
import { PROCESS_LIVE_MS, type ProcessItem } from '@/lib/schemas/processes';
import { prisma } from '@/lib/server/db';

export async function listProcesses(): Promise<ProcessItem[]> {
  const rows = await prisma.eventdeskProcess.findMany({
    where: { heartbeatAt: { gte: new Date(Date.now() - PROCESS_LIVE_MS) } },
    orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pid: r.pid,
    role: r.role as ProcessItem['role'],
    startedAt: r.startedAt.toISOString(),
    heartbeatAt: r.heartbeatAt.toISOString(),
    duties: r.duties,
  }));
}

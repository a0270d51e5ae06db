// GET /api/bulk/:id: the job's status and progress (interface.md, plus remaining/rate).
import 'server-only';
import { notFound } from '@/lib/api/errors';
import { prisma } from '@/lib/server/db';
import type { BulkJob } from '@/lib/schemas/bulk';

export async function getBulkJob(id: string): Promise<BulkJob> {
  const j = await prisma.bulkJob.findUnique({ where: { id } });
  if (!j) throw notFound('Bulk job');
  const remaining = Math.max(0, j.total - j.succeeded - j.failed - j.skipped);
  return {
    id: j.id,
    action: j.action as BulkJob['action'],
    status: j.status as BulkJob['status'],
    total: j.total,
    succeeded: j.succeeded,
    failed: j.failed,
    skipped: j.skipped,
    remaining,
    rate: j.status === 'running' ? Math.round(j.rateObserved) : 0,
    ratePerSecond: j.ratePerSecond,
    returned: j.returned,
    pauseReason: j.pauseReason,
    lastError: j.lastError,
    actor: j.actor,
    reason: j.reason,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

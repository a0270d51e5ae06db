// GET /api/bulk/:id: the job's status and progress (README, Fix and republish: plus remaining/rate).
import 'server-only';
import { notFound } from '@/lib/api/errors';
import { prisma } from '@/lib/server/db';
import type { BulkJob, BulkTransform } from '@/lib/schemas/bulk';
import { PROCESS_LIVE_MS } from '@/lib/schemas/processes';

/** msg/s: the recent rate while running, the average over the run once done, else 0. */
function rateOf(j: {
  status: string;
  rateObserved: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  succeeded: number;
  failed: number;
  skipped: number;
}): number {
  if (j.status === 'running') return Math.round(j.rateObserved);
  if (j.status !== 'done' || !j.startedAt || !j.finishedAt) return 0;
  const seconds = Math.max(0.001, (j.finishedAt.getTime() - j.startedAt.getTime()) / 1000);
  return Math.round((j.succeeded + j.failed + j.skipped) / seconds);
}

export async function getBulkJob(id: string): Promise<BulkJob> {
  const j = await prisma.bulkJob.findUnique({ where: { id } });
  if (!j) throw notFound('Bulk job');
  // most frequent reasons first; the job's items are read through their primary key's prefix
  const reasons = await prisma.$queryRaw<{ reason: string; count: number }[]>`
    SELECT "error" AS "reason", count(*)::int AS "count" FROM "bulk_job_items"
    WHERE "job_id" = ${id}::uuid AND "state" IN ('skipped', 'failed') AND "error" IS NOT NULL
    GROUP BY "error" ORDER BY count(*) DESC, "error" LIMIT 5`;
  // lease_owner is the republish owner id, which each process writes into its registry row
  const runner =
    j.leaseOwner && j.leaseUntil && j.leaseUntil > new Date()
      ? await prisma.eventdeskProcess.findFirst({
          where: { ownerId: j.leaseOwner, heartbeatAt: { gte: new Date(Date.now() - PROCESS_LIVE_MS) } },
          select: { host: true, pid: true },
        })
      : null;
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
    rate: rateOf(j),
    ratePerSecond: j.ratePerSecond,
    returned: j.returned,
    pauseReason: j.pauseReason,
    lastError: j.lastError,
    actor: j.actor,
    reason: j.reason,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
    startAt: j.startAt?.toISOString() ?? null,
    transform: (j.transform as BulkTransform | null) ?? null,
    skipReasons: reasons,
    runner,
  };
}

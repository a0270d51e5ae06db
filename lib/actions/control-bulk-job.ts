// The bulk control actions (POST /api/bulk/:id/pause | resume | cancel). The runner notices at
// its next batch (it renews its lease only while the job is 'running'). Cancelling leaves the
// rest of the selection pending.
import 'server-only';
import { conflict, notFound } from '@/lib/action-error';
import { bulkJobTarget, prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { BulkJob } from '@/lib/schemas/bulk';
import { getBulkJob } from '@/lib/server/bulk/get-bulk-job';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';
import { busyOnLockTimeout, LOCK_WAITING_TRANSACTION } from './busy-on-lock-timeout';

export type BulkControl = 'pause' | 'resume' | 'cancel';

const FROM: Record<BulkControl, string[]> = {
  pause: ['queued', 'running'],
  resume: ['paused'],
  cancel: ['scheduled', 'queued', 'running', 'paused'],
};

export async function controlBulkJob(actor: Actor, input: { id: string; control: BulkControl }): Promise<BulkJob> {
  const { id, control } = input;
  // lock_timeout (lib/db/guard-pool.ts) bounds the wait for the job's row: the runner holds it
  // only for a statement, so a wait past it means something is stuck: 409 busy, not a hang
  await busyOnLockTimeout(() =>
    prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ status: string }[]>`SELECT "status" FROM "bulk_jobs" WHERE "id" = ${id}::uuid FOR UPDATE`;
      if (!rows[0]) throw notFound('Bulk job');
      const from = rows[0].status;
      if (!FROM[control].includes(from)) throw conflict(`Cannot ${control} a job that is ${from}`, { status: from });
      if (control === 'pause') {
        await tx.$executeRaw`UPDATE "bulk_jobs" SET "status" = 'paused', "pause_reason" = ${`Paused by ${actor.name}`}, "lease_owner" = NULL, "lease_until" = NULL, "updated_at" = now() WHERE "id" = ${id}::uuid`;
      } else if (control === 'resume') {
        await tx.$executeRaw`UPDATE "bulk_jobs" SET "status" = 'queued', "pause_reason" = NULL, "lease_owner" = NULL, "lease_until" = NULL, "updated_at" = now() WHERE "id" = ${id}::uuid`;
      } else {
        await tx.$executeRaw`UPDATE "bulk_jobs" SET "status" = 'cancelled', "finished_at" = now(), "lease_owner" = NULL, "lease_until" = NULL, "updated_at" = now() WHERE "id" = ${id}::uuid`;
      }
      await recordAudit(prismaAuditClient(tx), {
        actor: actor.name,
        action: `bulk-${control}`,
        target: bulkJobTarget(id),
        reason: null,
        details: { bulkJobId: id, from },
      });
    }, LOCK_WAITING_TRANSACTION),
  );
  return getBulkJob(id);
}

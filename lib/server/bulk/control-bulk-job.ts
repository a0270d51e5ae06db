// POST /api/bulk/:id/pause | resume | cancel. The runner notices at its next batch (it renews
// its lease only while the job is 'running'). Cancelling leaves the rest of the selection pending.
import 'server-only';
import { conflict, notFound } from '@/lib/api/errors';
import { busyOnLockTimeout } from '@/lib/bus/republish-engine';
import { prisma } from '@/lib/server/db';
import type { Actor } from '@/lib/server/auth/authorize';
import type { BulkJob } from '@/lib/schemas/bulk';
import { getBulkJob } from './get-bulk-job';

export type BulkControl = 'pause' | 'resume' | 'cancel';

const FROM: Record<BulkControl, string[]> = {
  pause: ['queued', 'running'],
  resume: ['paused'],
  cancel: ['queued', 'running', 'paused'],
};

export async function controlBulkJob(id: string, control: BulkControl, actor: Actor): Promise<BulkJob> {
  // lock_timeout (lib/db/guard-pool.ts) bounds the wait for the job's row: the runner holds it
  // only for a statement, so a wait past it means something is stuck: 409 busy, not a hang
  const changed = await busyOnLockTimeout(() =>
    prisma.$transaction(
      async (tx) => {
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
        await tx.$executeRaw`
      INSERT INTO "audit_log" ("actor", "action", "target", "reason", "details")
      VALUES (${actor.name}, ${'bulk-' + control}, ${'bulk-job:' + id}, NULL, ${JSON.stringify({ bulkJobId: id, from })}::jsonb)`;
        return true;
      },
      { maxWait: 5000, timeout: 15_000 },
    ),
  );
  void changed;
  return getBulkJob(id);
}

// The bulk create action (POST /api/bulk): a dry run (count and a sample, nothing changes) or a
// job. The job's selection is snapshotted into bulk_job_items in the same transaction that
// creates it, so the job works on a stable set whatever the drain adds meanwhile; the
// background runner (lib/jobs/bulk-runner.ts) does the rest.
import 'server-only';
import { conflict, forbidden, invalid, unprocessable } from '@/lib/action-error';
import { bulkJobTarget, prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import { bulkWhere } from '@/lib/server/bulk/bulk-selection';
import type { Prisma } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import {
  DEFAULT_BULK_RATE,
  MAX_SCHEDULE_DAYS,
  TYPE_TO_CONFIRM_OVER,
  type BulkCreatedResponse,
  type BulkDryRunResponse,
  type BulkRequest,
  type BulkSelection,
  type BulkTransformDryRunResponse,
} from '@/lib/schemas/bulk';
import { PREVIEW_BUDGET_MS, previewTransform } from '@/lib/server/bulk/preview-transform';
import { compileTransform, type CompiledTransform } from '@/lib/transform/apply-transform';
import type { Actor } from './actor';

const SAMPLE_SIZE = 10;

interface SampleRow {
  id: string;
  event_id: string | null;
  event_type: string | null;
  queue: string;
  error_message: string | null;
  last_failed_at: Date;
}

/** A startAt this far in the past is a mistake (a clock, a stale form), not "now". */
const PAST_TOLERANCE_MS = 60_000;

/** When the job should start: null = now; 400 for a time in the past or too far ahead. */
function startTime(startAt: string | undefined): Date | null {
  if (startAt === undefined) return null;
  const at = new Date(startAt);
  const now = Date.now();
  if (at.getTime() < now - PAST_TOLERANCE_MS) throw invalid('startAt is in the past', [{ field: 'startAt', message: 'in the past' }]);
  if (at.getTime() > now + MAX_SCHEDULE_DAYS * 86_400_000)
    throw invalid(`startAt is more than ${MAX_SCHEDULE_DAYS} days ahead`, [{ field: 'startAt', message: `more than ${MAX_SCHEDULE_DAYS} days ahead` }]);
  return at.getTime() > now ? at : null;
}

/** Ids of a selection its audit line names; the job's items hold them all. */
const AUDITED_IDS = 100;

/**
 * A selection as its audit line keeps it: a list of ids cut at AUDITED_IDS, with their count (a
 * selection of 100,000 ids made a 3.9 MB audit line: a probe filled the audit log with them).
 */
export function auditedSelection(selection: BulkSelection): BulkSelection | { ids: string[]; idCount: number; idsOmitted: number } {
  if (!('ids' in selection) || selection.ids.length <= AUDITED_IDS) return selection;
  return { ids: selection.ids.slice(0, AUDITED_IDS), idCount: selection.ids.length, idsOmitted: selection.ids.length - AUDITED_IDS };
}

/** Messages the expression is tried on before a transforming job is created. */
const FIRST_TRIED = 20;

/**
 * Before a transforming job is created, its transformation runs on the first messages of the
 * selection: an expression that runs away there is refused now, not met by the runner (the
 * preview, which the console always shows first, has run it on all of them). So is a patch or an
 * expression whose pace on them would take the whole selection past the preview's budget: the
 * preview refuses it, and a job that accepted it (a 100 MB $pad on 2,000 messages, ~0.35 s each)
 * ran for minutes with nothing to show.
 */
async function refuseRunaway(where: ReturnType<typeof bulkWhere>, compiled: CompiledTransform): Promise<void> {
  const [first, counted] = await Promise.all([
    prisma.$queryRaw<{ id: string }[]>`SELECT "id" FROM "dead_letters" ${where} ORDER BY "last_failed_at", "id" LIMIT ${FIRST_TRIED}`,
    prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "dead_letters" ${where}`,
  ]);
  if (!first.length) return;
  // the transformation's own time: the preview's queries and sample diffs are a fixed cost that,
  // multiplied by a selection of 100,000, refused a one-operation patch
  const timing = { applyMs: 0 };
  await previewTransform(bulkWhere({ ids: first.map((r) => r.id) }), compiled, timing);
  const total = Number(counted[0]?.n ?? first.length);
  const perMessage = timing.applyMs / first.length;
  const estimate = perMessage * total;
  if (total > first.length && estimate > PREVIEW_BUDGET_MS)
    throw unprocessable(
      `The transformation took ${Math.round(perMessage)} ms a message on the first ${first.length}: about ${Math.round(estimate / 1000)} s for the ${total} selected, past the preview's ${PREVIEW_BUDGET_MS / 1000} s. The transformation is too slow for this selection`,
      { field: 'transform', reason: 'transform-too-slow' },
    );
}

/**
 * A job identical to one not finished yet (same action, selection and transform: a double-click,
 * or two operators on the same incident) is refused, naming the other one: it would only find its
 * records taken and fail each item. Identical requests at the same moment queue on a lock, so
 * the second sees the first.
 */
async function refuseDuplicate(tx: Prisma.TransactionClient, request: BulkRequest): Promise<void> {
  const selection = JSON.stringify(request.selection);
  const transform = request.transform ? JSON.stringify(request.transform) : null;
  // keyed by the values as jsonb compares them (key order aside), as the check below does
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`bulk-create:${request.action}:`} || ${selection}::jsonb::text || ':' || coalesce(${transform}::jsonb::text, '')))`;
  const [other] = await tx.$queryRaw<{ id: string; actor: string; status: string }[]>`
    SELECT "id", "actor", "status" FROM "bulk_jobs"
    WHERE "action" = ${request.action} AND "selection" = ${selection}::jsonb AND "transform" IS NOT DISTINCT FROM ${transform}::jsonb
      AND "status" IN ('scheduled', 'queued', 'running', 'paused')
    ORDER BY "created_at" DESC LIMIT 1`;
  if (other)
    throw conflict(`The same bulk ${request.action} is already ${other.status} (job ${other.id}, by ${other.actor}): not created again`, {
      reason: 'duplicate',
      bulkJobId: other.id,
    });
}

export async function createBulkJob(actor: Actor, request: BulkRequest): Promise<BulkDryRunResponse | BulkTransformDryRunResponse | BulkCreatedResponse> {
  if (request.force && actor.role !== 'admin') throw forbidden('Only an admin can force a bulk republish');
  if (request.transform && request.action !== 'republish')
    throw invalid('A transform applies to a republish only', [{ field: 'transform', message: 'applies to a republish only' }]);
  const where = bulkWhere(request.selection);
  // 422 for a patch or expression that does not parse, before anything else
  const compiled = request.transform ? compileTransform(request.transform) : null;

  if (request.dryRun && compiled) return previewTransform(where, compiled);
  if (request.dryRun) {
    const [counted, sample] = await Promise.all([
      prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "dead_letters" ${where}`,
      prisma.$queryRaw<SampleRow[]>`
        SELECT "id", "event_id", "event_type", "queue", "error_message", "last_failed_at" FROM "dead_letters" ${where}
        ORDER BY "last_failed_at" DESC, "id" DESC LIMIT ${SAMPLE_SIZE}`,
    ]);
    return {
      dryRun: true,
      count: Number(counted[0]?.n ?? 0),
      sample: sample.map((r) => ({
        id: r.id,
        eventId: r.event_id,
        eventType: r.event_type,
        queue: r.queue,
        errorMessage: r.error_message,
        lastFailedAt: r.last_failed_at.toISOString(),
      })),
    };
  }

  const rate = request.ratePerSecond ?? DEFAULT_BULK_RATE;
  const startAt = startTime(request.startAt);
  if (compiled) await refuseRunaway(where, compiled);
  return prisma.$transaction(
    async (tx) => {
      await refuseDuplicate(tx, request);
      const [job] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "bulk_jobs" ("action", "selection", "reason", "actor", "force", "rate_per_second", "transform", "start_at", "status")
        VALUES (${request.action}, ${JSON.stringify(request.selection)}::jsonb, ${request.reason}, ${actor.name}, ${Boolean(request.force)}, ${rate},
                ${request.transform ? JSON.stringify(request.transform) : null}::jsonb, ${startAt}, ${startAt ? 'scheduled' : 'queued'})
        RETURNING "id"`;
      // Oldest first: a replay reaches consumers in the order the events originally failed.
      const total = await tx.$executeRaw`
        INSERT INTO "bulk_job_items" ("job_id", "seq", "dead_letter_id")
        SELECT ${job.id}::uuid, row_number() OVER (ORDER BY "last_failed_at", "id")::int, "id" FROM "dead_letters" ${where}`;
      if (total === 0) throw conflict('Nothing to do: no pending dead letter matches this selection', { reason: 'empty', count: 0 });
      if (total > TYPE_TO_CONFIRM_OVER && request.expectedCount !== total) {
        throw conflict(`This selection holds ${total} dead letters: confirm by sending expectedCount ${total}`, {
          reason: 'confirm-count',
          count: total,
          expectedCount: request.expectedCount ?? null,
        });
      }
      await tx.$executeRaw`UPDATE "bulk_jobs" SET "total" = ${total} WHERE "id" = ${job.id}::uuid`;
      await recordAudit(prismaAuditClient(tx), {
        actor: actor.name,
        action: 'bulk-create',
        target: bulkJobTarget(job.id),
        reason: request.reason,
        details: {
          bulkJobId: job.id,
          action: request.action,
          selection: auditedSelection(request.selection),
          count: total,
          ratePerSecond: rate,
          force: Boolean(request.force),
          ...(request.transform ? { transform: request.transform } : {}),
          ...(startAt ? { startAt: startAt.toISOString() } : {}),
        },
      });
      return { jobId: job.id, count: total };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

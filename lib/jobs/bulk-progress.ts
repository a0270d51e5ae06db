// Moves a bulk job's items and counters after its intents settle; shared by the runner and by
// recovery (which settles intents of a job whose process died mid-batch).
import type pg from 'pg';
import { uuidArray } from '@/lib/db/uuid-array';

export interface ItemOutcome {
  jobId: string;
  deadLetterId: string;
  state: 'done' | 'failed' | 'skipped';
  error?: string | null;
}

/** Sets queued items to their outcome and adds them to the job's counters, in the caller's transaction. */
export async function applyItemOutcomes(client: pg.ClientBase, outcomes: ItemOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await client.query(
    `WITH o AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS o(job_id, dead_letter_id, state, error)
     ), upd AS (
       UPDATE "bulk_job_items" i SET "state" = o.state, "error" = o.error, "settled_at" = now()
       FROM o WHERE i."job_id" = o.job_id AND i."dead_letter_id" = o.dead_letter_id AND i."state" = 'queued'
       RETURNING i."job_id", i."state"
     )
     UPDATE "bulk_jobs" j SET
       "succeeded" = j."succeeded" + c.succeeded, "failed" = j."failed" + c.failed, "skipped" = j."skipped" + c.skipped,
       "updated_at" = now()
     FROM (
       SELECT "job_id", count(*) FILTER (WHERE "state" = 'done')::int AS succeeded,
              count(*) FILTER (WHERE "state" = 'failed')::int AS failed,
              count(*) FILTER (WHERE "state" = 'skipped')::int AS skipped
       FROM upd GROUP BY "job_id"
     ) c
     WHERE j."id" = c."job_id"`,
    [
      uuidArray(outcomes.map((o) => o.jobId)),
      uuidArray(outcomes.map((o) => o.deadLetterId)),
      `{${outcomes.map((o) => o.state).join(',')}}`, // three plain words: no quoting needed
      outcomes.map((o) => o.error ?? null),
    ],
  );
}

// Purges dead letters whose last death is older than RETENTION_DAYS (the DLQ's own TTL) and that
// nothing has happened to for as long (updated_at: a death received, an operator's action), in
// small batches so the drain and the console never wait behind one long delete. The death time
// comes from the message's x-death, which RabbitMQ writes at a queue's first dead-lettering and
// keeps through later ones: a message that went round for eight days arrives with a death time
// eight days old, and was purged seconds after it was received (found by fault probing). Messages and history go
// with their record (ON DELETE CASCADE); failure group counts are decremented in the same
// statement (and kept in purged_counts for the metrics' counters), and emptied groups nobody
// triaged and old hour buckets are removed. The republish outbox and bulk jobs age out on the same clock: settled
// intents (recovery needs only unfinished ones, and the ledger copy of an intent it cannot find
// is simply acked) and finished jobs with their items.
import type pg from 'pg';
import type { Logger } from 'pino';
import { BULK_FINAL_STATUSES } from '@/lib/schemas/bulk';
import { sleep } from '@/lib/backoff';

export interface PurgeOptions {
  retentionDays: number;
  batchSize?: number;
  pauseMs?: number;
  signal?: AbortSignal;
  now?: Date;
}

/** The end of an INSERT into purged_counts: adds to the row when there is one already. */
const ADD_TO_COUNT = 'ON CONFLICT (source, a, b) DO UPDATE SET n = purged_counts.n + EXCLUDED.n';

export async function purgeExpired(pool: pg.Pool, options: PurgeOptions): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000);
  const batchSize = options.batchSize ?? 1000;
  const total = await purgeInBatches(
    pool,
    `WITH doomed AS (
       SELECT id FROM dead_letters WHERE last_failed_at < $1 AND updated_at < $1
       ORDER BY last_failed_at LIMIT $2 FOR UPDATE SKIP LOCKED
     ), gone AS (
       DELETE FROM dead_letters d USING doomed WHERE d.id = doomed.id
       RETURNING d.group_id, d.status, d.attempts, d.unreadable_reason
     ), per_group AS (
       -- unreadable (parked) records were never counted in a failure group
       SELECT group_id, sum(attempts)::int AS deaths, count(*) FILTER (WHERE status = 'pending')::int AS pending
       FROM gone WHERE unreadable_reason IS NULL GROUP BY group_id ORDER BY group_id
     ), adjusted AS (
       UPDATE failure_groups g
          SET count = GREATEST(0, g.count - p.deaths), pending_count = GREATEST(0, g.pending_count - p.pending)
         FROM per_group p WHERE g.id = p.group_id
       RETURNING g.id
     ), counted AS (
       -- what leaves the groups' counts, by type and queue (read before the update: one
       -- snapshot), so that event_processing_errors_total never goes down
       INSERT INTO purged_counts (source, a, b, n)
       SELECT 'processing-errors', g.event_type, g.queue, sum(LEAST(g.count, p.deaths))
       FROM per_group p JOIN failure_groups g ON g.id = p.group_id
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ${ADD_TO_COUNT}
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM gone`,
    [cutoff, batchSize],
    options,
  );
  // what goes is added to purged_counts in the same statement (the metrics' counters never drop)
  await purgeInBatches(
    pool,
    `WITH gone AS (
       DELETE FROM republish_intents WHERE id IN (
         SELECT id FROM republish_intents
         WHERE created_at < $1 AND state <> 'pending' AND settled_at < $1 LIMIT $2)
       RETURNING target_kind, state
     ), counted AS (
       INSERT INTO purged_counts (source, a, b, n)
       SELECT 'republish', target_kind, state, count(*) FROM gone GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ${ADD_TO_COUNT}
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM gone`,
    [cutoff, batchSize],
    options,
  );
  // finished jobs: their items in batches first, then the job with its counts
  const { rows: jobs } = await pool.query<{ id: string }>(
    `SELECT id FROM bulk_jobs WHERE status = ANY($2::text[]) AND COALESCE(finished_at, updated_at) < $1`,
    [cutoff, BULK_FINAL_STATUSES],
  );
  for (const { id } of jobs) {
    await purgeInBatches(
      pool,
      `WITH gone AS (
         DELETE FROM bulk_job_items WHERE job_id = $1 AND seq IN (SELECT seq FROM bulk_job_items WHERE job_id = $1 ORDER BY seq LIMIT $2)
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM gone`,
      [id, batchSize],
      options,
    );
    if (options.signal?.aborted) break;
    await pool.query(
      `WITH gone AS (DELETE FROM bulk_jobs WHERE id = $1 RETURNING action, succeeded, failed, skipped)
       INSERT INTO purged_counts (source, a, b, n)
       SELECT 'bulk-items', g.action, o.outcome, o.n FROM gone g
       CROSS JOIN LATERAL (VALUES ('succeeded', g.succeeded), ('failed', g.failed), ('skipped', g.skipped)) AS o(outcome, n)
       ORDER BY 1, 2, 3
       ${ADD_TO_COUNT}`,
      [id],
    );
  }
  // notification events older than the retention whose deliveries are all settled (delivered or
  // given up), with their deliveries and attempts (ON DELETE CASCADE); one still being retried stays
  await purgeInBatches(
    pool,
    `WITH gone AS (
       DELETE FROM notification_outbox WHERE id IN (
         SELECT x.id FROM notification_outbox x
          WHERE x.dispatched_at IS NOT NULL AND x.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.outbox_id = x.id AND d.status = 'pending')
          LIMIT $2)
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM gone`,
    [cutoff, batchSize],
    options,
  );
  await pool.query('DELETE FROM failure_group_hours WHERE hour < $1', [cutoff]);
  // An emptied group goes only if nobody triaged it: a group with notes, history, an assignee or a
  // status (acknowledged, snoozed, resolved) keeps them, and a resolved one that dies again must
  // still be found resolved, to be reopened as a regression.
  // A group locked meanwhile (a note or a status change being written: FOR KEY SHARE / UPDATE)
  // is skipped, not deleted under a note committed after this statement's snapshot.
  await pool.query(
    `DELETE FROM failure_groups WHERE id IN (
       SELECT g.id FROM failure_groups g
        WHERE g.count = 0 AND g.pending_count = 0 AND g.last_seen_at < $1 AND g.status = 'open' AND g.assignee_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM failure_group_notes n WHERE n.group_id = g.id)
          AND NOT EXISTS (SELECT 1 FROM failure_group_history h WHERE h.group_id = g.id)
        FOR UPDATE OF g SKIP LOCKED)`,
    [cutoff],
  );
  return total;
}

/** Runs a statement that deletes up to `params[1]` rows and returns their count as `n`, until
 *  it deletes fewer than that; returns how many it deleted in all. */
async function purgeInBatches(pool: pg.Pool, sql: string, params: [unknown, number], options: PurgeOptions): Promise<number> {
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return total;
    const { rows } = await pool.query<{ n: number }>(sql, params);
    const n = rows[0]?.n ?? 0;
    total += n;
    if (n < params[1]) return total;
    await sleep(options.pauseMs ?? 200, options.signal);
  }
}

/** Runs purgeExpired now and then every intervalMs until stopped. */
export function startRetention(pool: pg.Pool, retentionDays: number, log: Logger, intervalMs = 10 * 60_000) {
  const abort = new AbortController();
  const run = async () => {
    try {
      const n = await purgeExpired(pool, { retentionDays, signal: abort.signal });
      if (n) log.info({ purged: n, retentionDays }, 'purged expired dead letters');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'retention purge failed; retrying later');
    }
  };
  let running = run();
  const timer = setInterval(() => {
    running = running.then(run);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running.catch(() => {
        /* a purge pass logs its own failure; stopping only waits for it */
      });
    },
  };
}

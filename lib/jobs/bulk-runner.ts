// Runs bulk jobs in the background. A job survives a restart: its items were snapshotted at
// creation, each batch commits its outcomes, and a job is held by a lease (renewed every
// batch) that another process, or this one after a restart, takes over when it lapses.
// Several processes can run runners: claims use FOR UPDATE SKIP LOCKED. A 'scheduled' job (startAt)
// is claimed once its time has come; until then it only waits in the table, restarts included.
//
// Auto-pause: a replayed message that dies again comes back through the drain, which sets its
// record pending again (history 'failed-again'). Records this job republished that are pending
// again are "returns"; once they pass the threshold the job pauses itself with a reason the UI
// shows, instead of cycling the whole group through the DLQ.
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { MAX_TRANSFORM_BODY_BYTES } from '@/lib/transform/apply-transform';
import { sleep } from '@/lib/backoff';
import { fitInBytes } from '@/lib/fit-in-bytes';
import { observed } from '@/lib/observed';
import { bulkJobTarget, recordAudit } from '@/lib/audit/record-audit';
import type { RepublishDeps } from './republish-runtime';
import { inTransaction, settleIntentsFailed } from '@/lib/bus/republish-outbox';
import {
  claimRepublishBatch,
  discardBatch,
  MAX_BATCH_BODY_BYTES,
  republishBatch,
  sendRepublishBatch,
  settleBatchRetrying,
  type BulkJobRow,
  type ClaimedBatch,
} from './bulk-batches';

export interface BulkRunnerOptions {
  pollMs?: number;
  leaseMs?: number;
  /** largest batch at an unlimited rate */
  maxBatch?: number;
  /** most bytes of message bodies a republish batch holds (MAX_BATCH_BODY_BYTES) */
  maxBatchBytes?: number;
  /** pause when at least this many came back... */
  autoPauseMinReturned?: number;
  /** ...and they are at least this share of what the job republished */
  autoPauseRatio?: number;
  returnCheckEveryMs?: number;
  /** jobs this runner runs at once (a slow job no longer holds every other one back) */
  maxConcurrentJobs?: number;
}

/** A claimed job with its item count (items are numbered 1..total) and how many are still queued. */
type RunningJob = BulkJobRow & { total: number; queued: number };

/**
 * How long a job's lease lasts after its last renewal (every batch). A process that dies holds
 * its job this long at most: another one takes it over within this plus its 1 s poll (issue 19
 * asks for 30 s; measured ~20.5 s). A live runner whose batch outlasts it loses the job to
 * another: harmless for exactly-once (a record with an unfinished intent is never claimed twice),
 * it only moves the work.
 */
export const DEFAULT_LEASE_MS = 20_000;

/** Items read per query at the least (see nextItems). */
const ITEM_WINDOW = 5000;

/** Settles in flight at once at an unlimited rate (see runJob). */
const MAX_SETTLING = 2;

/**
 * The next batch size at an unlimited rate. The first claim has nothing to overlap it and the
 * last settle neither: start at an eighth of the full size and double, and near the end take
 * half of what is left, so the pipeline fills and empties in small batches (measured with 50,000
 * messages: the first publish starts after ~40 ms instead of ~770, the last settle is short).
 */
export function unlimitedBatchSize(max: number, previous: number | null, unclaimed: number): number {
  const min = Math.max(1, Math.ceil(max / 8));
  const rising = previous === null ? min : Math.min(max, previous * 2);
  return Math.max(min, Math.min(rising, Math.ceil(unclaimed / 2)));
}

/** Waits for every one (none is left running behind an early failure), then throws the first failure. */
async function settledAll(ps: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(ps)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export class BulkRunner {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly wakers = new Set<() => void>();
  /** the jobs this runner is running, by id */
  private readonly running = new Map<string, Promise<void>>();
  /** a job that failed (its database connection died...) is claimed again after a backoff */
  private failures = 0;
  private retryAt = 0;
  private readonly log: Logger;
  private readonly o: Required<BulkRunnerOptions>;

  constructor(
    private readonly deps: RepublishDeps,
    options: BulkRunnerOptions = {},
  ) {
    this.log = (deps.logger ?? rootLogger).child({ component: 'bulk-runner' });
    this.o = {
      pollMs: options.pollMs ?? 1000,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      // larger batches amortise the per-batch round trips and the wait for a batch's last
      // confirms at an unlimited rate (measured on the 2-core machine: 2,500 gave ~1.3-1.6x the
      // throughput of 1,000, and 5,000 ~1.2x that of 2,500; a batch of 5,000 ~1 KB messages
      // holds ~10 MB and is published in ~1.5 s, the delay a pause or cancel can see)
      maxBatch: options.maxBatch ?? 5000,
      maxBatchBytes: options.maxBatchBytes ?? MAX_BATCH_BODY_BYTES,
      autoPauseMinReturned: options.autoPauseMinReturned ?? 5,
      autoPauseRatio: options.autoPauseRatio ?? 0.1,
      returnCheckEveryMs: options.returnCheckEveryMs ?? 1000,
      maxConcurrentJobs: options.maxConcurrentJobs ?? 2,
    };
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Look for work now (after a job was created or resumed in this process). */
  poke(): void {
    for (const wake of [...this.wakers]) wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.loop;
  }

  private async idle(ms: number): Promise<void> {
    let wake: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      wake = done;
      this.wakers.add(done);
    });
    this.wakers.delete(wake);
  }

  private async run(): Promise<void> {
    await this.runUntilStopped();
    // A graceful stop (a rolling restart) hands its job over at once instead of after the lease:
    // the job is queued again for whichever runner polls next.
    await this.deps.pool
      .query(
        `UPDATE "bulk_jobs" SET "lease_owner" = NULL, "lease_until" = NULL, "updated_at" = now()
         WHERE "lease_owner" = $1 AND "status" = 'running'`,
        [this.deps.owner.id],
      )
      .catch((err: Error) => this.log.warn({ err: err.message }, 'bulk runner: lease not released; it lapses by itself'));
  }

  // Up to maxConcurrentJobs jobs run at once, each in its own loop (runJob): a job that is slow
  // (a transformation at its guardrail, a low rate) no longer holds a two-record discard behind
  // it for minutes (found by an adversarial probe). Batches of two jobs never share records: a
  // record with an unfinished intent is not claimed again.
  private async runUntilStopped(): Promise<void> {
    while (!this.stopped) {
      try {
        const wait = this.retryAt - Date.now();
        if (wait > 0 || this.running.size >= this.o.maxConcurrentJobs) {
          await this.idle(wait > 0 ? wait : this.o.pollMs);
          continue;
        }
        const job = await this.claim();
        if (!job) {
          await this.idle(this.o.pollMs);
          continue;
        }
        this.launch(job);
      } catch (err) {
        this.failed(err);
      }
    }
    await Promise.allSettled([...this.running.values()]);
  }

  private launch(job: RunningJob): void {
    const run = this.runJob(job).then(
      () => {
        this.failures = 0;
      },
      (err: unknown) => this.failed(err),
    );
    this.running.set(
      job.id,
      run.finally(() => {
        this.running.delete(job.id);
        this.poke(); // a place is free
      }),
    );
  }

  private failed(err: unknown): void {
    this.failures++;
    this.retryAt = Date.now() + Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6));
    this.log.warn({ err: (err as Error).message }, 'bulk runner: will retry');
  }

  // A job this process held when a step failed (its database connection died) is taken again at
  // once, not after its lease lapses: this runner is the only one of its owner id, and the jobs
  // it is running now are left out.
  private async claim(): Promise<RunningJob | null> {
    await this.deps.owner.held();
    const { rows } = await this.deps.pool.query<RunningJob>(
      `UPDATE "bulk_jobs" SET "status" = 'running', "lease_owner" = $1, "lease_until" = now() + make_interval(secs => $2::double precision / 1000),
              "started_at" = COALESCE("started_at", now()), "updated_at" = now()
       WHERE "id" = (
         SELECT "id" FROM "bulk_jobs"
         WHERE ("status" IN ('queued', 'running') OR ("status" = 'scheduled' AND "start_at" <= now()))
           AND ("lease_until" IS NULL OR "lease_until" < now() OR "lease_owner" = $1)
           AND NOT ("id" = ANY($3::uuid[]))
         ORDER BY "created_at" LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING "id", "action", "reason", "actor", "force", "rate_per_second" AS "ratePerSecond", "transform",
                 "total", "total" - "succeeded" - "failed" - "skipped" AS "queued"`,
      [this.deps.owner.id, this.o.leaseMs, [...this.running.keys()]],
    );
    return rows[0] ?? null;
  }

  /**
   * The next queued items after the cursor; those whose record has an unfinished intent (in an
   * earlier batch still in flight, or an unknown outcome awaiting recovery) wait, and are found
   * again when the cursor comes round (it wraps to the first item after the last).
   * Items are numbered 1..total when the job is created, so each read is a bounded seq range
   * ("after" to "after + window" on the primary key): its cost does not depend on how many items
   * are left or already settled, nor on the planner's statistics, which a new table lacks (with
   * "seq > after ... LIMIT" and no statistics, PostgreSQL sorted all the items left each time:
   * ~120 ms a batch in a 50,000-item job).
   */
  private async nextItems(job: Pick<RunningJob, 'id' | 'total' | 'action' | 'transform'>, size: number, cursor: { after: number }): Promise<string[]> {
    const window = Math.max(size, ITEM_WINDOW);
    // a republish batch is bounded by its bodies' bytes too: each record's newest message's size,
    // kept on the record (a second lookup in the messages cost 4x the query: 88 ms a window of
    // 5,000, 660 ms cold); with a transformation, a body it does not take is not read (0)
    const bytes =
      job.action !== 'republish'
        ? '0'
        : job.transform
          ? `(SELECT CASE WHEN d."body_size" <= ${MAX_TRANSFORM_BODY_BYTES} THEN d."body_size" ELSE 0 END FROM "dead_letters" d WHERE d."id" = i."dead_letter_id")`
          : `(SELECT d."body_size" FROM "dead_letters" d WHERE d."id" = i."dead_letter_id")`;
    // at most one full round of the job's items, from wherever the cursor is
    for (let windows = Math.ceil(job.total / window) + 1; windows > 0; windows--) {
      if (cursor.after >= job.total) cursor.after = 0;
      const { rows } = await this.deps.pool.query<{ deadLetterId: string; seq: number; bytes: number | null }>(
        `SELECT i."dead_letter_id" AS "deadLetterId", i."seq", ${bytes} AS "bytes" FROM "bulk_job_items" i
         WHERE i."job_id" = $1 AND i."seq" > $2 AND i."seq" <= $2 + $3 AND i."state" = 'queued'
           AND NOT EXISTS (SELECT 1 FROM "republish_intents" r WHERE r."dead_letter_id" = i."dead_letter_id" AND r."state" = 'pending')
         ORDER BY i."seq" LIMIT $4`,
        [job.id, cursor.after, window, size],
      );
      const taken = fitInBytes(
        rows.map((r) => r.bytes ?? 0),
        this.o.maxBatchBytes,
      );
      // a full batch (by count or by bytes) may leave more of the window: go on from its last item
      cursor.after = rows.length === size || taken < rows.length ? rows[taken - 1].seq : cursor.after + window;
      if (taken) return rows.slice(0, taken).map((r) => r.deadLetterId);
    }
    return [];
  }

  private async claimNext(job: RunningJob, size: number, cursor: { after: number }): Promise<ClaimedBatch | null> {
    const ids = await this.nextItems(job, size, cursor);
    return ids.length ? claimRepublishBatch(this.deps, job, ids) : null;
  }

  /** A claimed batch that will not be published (the job stopped): close its intents; its items stay queued. */
  private async release(claimed: Promise<ClaimedBatch | null> | null): Promise<void> {
    const c = await claimed?.catch(() => null);
    if (!c?.ready.length) return;
    const ids = c.ready.map((r) => r.intentId);
    try {
      await inTransaction(this.deps.pool, (tx) => settleIntentsFailed(tx, ids, 'bulk job stopped before publishing'));
    } finally {
      this.deps.owner.untrack(ids);
    }
  }

  private async runJob(job: RunningJob): Promise<void> {
    const log = this.log.child({ bulkJobId: job.id, action: job.action });
    log.info('bulk job running');
    let windowStart = Date.now();
    let windowCount = 0;
    let lastReturnCheck = Date.now();
    // At an unlimited rate a republish job runs as a pipeline: while batch N is being written to
    // the broker, batch N+1 is claimed; up to two earlier batches await their confirms and then
    // settle. Batch N+1 goes out as soon as N is written, not once N is confirmed: the broker
    // confirms a batch of 5,000 ~1 s after its last message was written, and waiting for that
    // left both cores ~30% idle for ~0.5 s a batch (measured). Two settles at once overlap their
    // record updates and queue only on the group and job counter rows they take last. Batches
    // never share records: a record with an unfinished intent is not picked (nextItems).
    let claiming: Promise<ClaimedBatch | null> | null = null;
    const settling: Promise<unknown>[] = [];
    const cursor = { after: 0 };
    let lastSize: number | null = null;
    let unclaimed = job.queued;
    const claimAhead = (size: number) => {
      lastSize = unlimitedBatchSize(size, lastSize, unclaimed);
      unclaimed -= lastSize;
      return observed(this.claimNext(job, lastSize, cursor));
    };
    try {
      while (!this.stopped) {
        const { rows } = await this.deps.pool.query<{ ratePerSecond: number }>(
          `UPDATE "bulk_jobs" SET "lease_until" = now() + make_interval(secs => $3::double precision / 1000), "updated_at" = now()
           WHERE "id" = $1 AND "lease_owner" = $2 AND "status" = 'running' RETURNING "rate_per_second" AS "ratePerSecond"`,
          [job.id, this.deps.owner.id, this.o.leaseMs],
        );
        if (!rows[0]) {
          log.info('bulk job no longer running here (paused, cancelled or taken over)');
          return;
        }
        const rate = rows[0].ratePerSecond;
        const size = rate > 0 ? Math.max(1, Math.min(this.o.maxBatch, Math.ceil(rate / 5))) : this.o.maxBatch;
        const started = Date.now();
        let processed = 0;
        if (job.action === 'republish' && rate === 0) {
          const claimed = await (claiming ?? claimAhead(size));
          claiming = null;
          if (claimed) {
            const sending = sendRepublishBatch(this.deps, claimed);
            claiming = claimAhead(size);
            // written, not yet confirmed: the next batch goes out while the broker confirms this
            // one, and it settles once confirmed
            const { published } = await sending;
            // Queued for settling before anything else can throw: a batch that went out is
            // always settled (or awaited by the finally below), even when an earlier settle fails.
            const settle = observed(published.then((p) => settleBatchRetrying(this.deps, p)));
            try {
              if (settling.length >= MAX_SETTLING) await settling.shift();
            } finally {
              settling.push(settle);
            }
            processed = claimed.size;
          }
        } else {
          if (claiming) {
            // a batch claimed ahead before the operator set a rate: its items go back to the
            // queue, and the cursor to the start so that they go first (oldest first)
            await this.release(claiming);
            claiming = null;
            cursor.after = 0;
            lastSize = null;
          }
          const ids = await this.nextItems(job, size, cursor);
          unclaimed -= ids.length;
          if (ids.length) {
            if (job.action === 'discard') await discardBatch(this.deps.pool, job, ids);
            else await republishBatch(this.deps, job, ids);
            processed = ids.length;
          }
        }

        if (processed === 0) {
          await settledAll(settling.splice(0));
          const { rows: left } = await this.deps.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "bulk_job_items" WHERE "job_id" = $1 AND "state" = 'queued'`,
            [job.id],
          );
          if (left[0].n > 0) {
            await this.idle(this.o.pollMs);
            continue;
          }
          await this.finish(job);
          log.info('bulk job done');
          return;
        }
        windowCount += processed;
        const now = Date.now();
        const elapsed = Math.max(1, now - windowStart);
        await this.deps.pool.query(`UPDATE "bulk_jobs" SET "rate_observed" = $2, "last_error" = NULL WHERE "id" = $1`, [
          job.id,
          (windowCount * 1000) / elapsed,
        ]);
        if (elapsed > 5000) {
          windowStart = now;
          windowCount = 0;
        }
        // the returns count joins the job's items with their records: at an unlimited rate,
        // where a batch is thousands of messages, look less often
        const checkEvery = rate === 0 ? Math.max(this.o.returnCheckEveryMs, 5000) : this.o.returnCheckEveryMs;
        if (job.action === 'republish' && now - lastReturnCheck >= checkEvery) {
          lastReturnCheck = now;
          if (await this.autoPaused(job)) return;
        }
        if (rate > 0) {
          // Pace to the chosen rate: this batch may take processed / rate seconds at the most.
          const due = started + (processed * 1000) / rate;
          if (due > Date.now()) await sleep(due - Date.now());
        }
      }
    } finally {
      for (const r of await Promise.allSettled(settling)) {
        if (r.status === 'rejected') log.warn({ err: (r.reason as Error).message }, 'settling a batch failed; recovery will');
      }
      await this.release(claiming);
    }
  }

  /** Counts returns of this job's records and pauses it past the threshold. */
  private async autoPaused(job: BulkJobRow): Promise<boolean> {
    const { rows } = await this.deps.pool.query<{ returned: number; succeeded: number }>(
      `WITH r AS (
         SELECT count(*)::int AS n FROM "bulk_job_items" i JOIN "dead_letters" d ON d."id" = i."dead_letter_id"
         WHERE i."job_id" = $1 AND i."state" = 'done' AND d."status" = 'pending'
       )
       UPDATE "bulk_jobs" j SET "returned" = r.n FROM r WHERE j."id" = $1 RETURNING j."returned", j."succeeded"`,
      [job.id],
    );
    const { returned, succeeded } = rows[0] ?? { returned: 0, succeeded: 0 };
    if (returned < this.o.autoPauseMinReturned || returned < this.o.autoPauseRatio * succeeded) return false;
    const reason = `Auto-paused: ${returned} of ${succeeded} republished messages died again (the consumer is still failing). Fix the consumer, then resume.`;
    await inTransaction(this.deps.pool, async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE "bulk_jobs" SET "status" = 'paused', "pause_reason" = $2, "lease_owner" = NULL, "lease_until" = NULL, "updated_at" = now()
         WHERE "id" = $1 AND "status" = 'running'`,
        [job.id, reason],
      );
      if (rowCount)
        await recordAudit(tx, [{ actor: 'system', action: 'bulk-auto-pause', target: bulkJobTarget(job.id), reason, details: { returned, succeeded } }]);
    });
    this.log.warn({ bulkJobId: job.id, returned, succeeded }, 'bulk job auto-paused');
    return true;
  }

  private async finish(job: BulkJobRow): Promise<void> {
    await inTransaction(this.deps.pool, async (tx) => {
      // returns counted once more at the end: the last batches' replays had no check while running
      // (checks are spaced out), and a job's summary says how many stayed delivered
      const { rows } = await tx.query<{ total: number; succeeded: number; failed: number; skipped: number; returned: number }>(
        `UPDATE "bulk_jobs" j SET "status" = 'done', "finished_at" = now(), "lease_owner" = NULL, "lease_until" = NULL, "updated_at" = now(),
           "returned" = CASE WHEN j."action" = 'republish' THEN (
             SELECT count(*)::int FROM "bulk_job_items" i JOIN "dead_letters" d ON d."id" = i."dead_letter_id"
             WHERE i."job_id" = j."id" AND i."state" = 'done' AND d."status" = 'pending') ELSE j."returned" END
         WHERE j."id" = $1 AND j."status" = 'running' RETURNING j."total", j."succeeded", j."failed", j."skipped", j."returned"`,
        [job.id],
      );
      if (rows[0])
        await recordAudit(tx, [
          {
            actor: 'system',
            action: 'bulk-finish',
            target: bulkJobTarget(job.id),
            reason: job.reason,
            // stayedDelivered: sent and not back in the DLQ when the job ended
            details: { action: job.action, requestedBy: job.actor, ...rows[0], stayedDelivered: Math.max(0, rows[0].succeeded - rows[0].returned) },
          },
        ]);
    });
  }
}

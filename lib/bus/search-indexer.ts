// The search indexer: turns rows of "search_backlog" (appended by the derivation in the
// transaction that derives the dead letter) into full-text documents in "dead_letter_search", then deletes them.
// Indexing apart from the drain keeps the GIN index's write cost off the drain's and the
// republish's path (migration 20261127070000_search_documents); the price is that in a burst a
// new dead letter is listed at once but found by search a few seconds later. The backlog is
// shown in /api/health so an operator can tell.
// Search comes after the list (issue 20): while the derivation has stored dead letters still to
// turn into records, the indexer waits (up to maxDeferMs at a time, so search never starves under
// a drain that never lets up). Both compete for the same PostgreSQL CPU, and an operator in an
// incident needs the records listed before they are searchable. Past that wait, while the
// derivation still lags, it indexes a chunk at a time and rests three times as long as the chunk
// took, so it takes at most a quarter of its time until the records are listed: in a burst of a
// million (bench:drain), indexing without rest from 30 s on competed with the drain and the
// derivation for the rest of the burst.
// Several processes may run one each: chunks are taken with SKIP LOCKED, and a document is never
// replaced by one built from an older backlog row.
import pg from 'pg';
import type { Logger } from 'pino';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import { backoffDelay, sleep } from '@/lib/backoff';
import { ignoreClosing } from './ignore-closing';
import { KickedLoop } from './kicked-loop';
import { derivationPending } from './derive-dead-letters';
import type { Queryable } from './with-client';

/** Indexes up to `chunk` backlog rows in one statement (one transaction); returns how many it took. */
export async function indexSearchBacklog(db: Queryable, chunk = 1000): Promise<number> {
  const { rows } = await db.query<{ taken: number }>(
    `WITH taken AS (
       DELETE FROM search_backlog b
        WHERE b.id IN (SELECT id FROM search_backlog ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING b.id, b.dead_letter_id, b.search_text, b.message_id
     ), latest AS (
       SELECT DISTINCT ON (dead_letter_id) id, dead_letter_id, search_text, message_id FROM taken ORDER BY dead_letter_id, id DESC
     ), indexed AS (
       -- the join skips dead letters purged since they were queued, and those being purged now:
       -- FOR KEY SHARE waits for a delete in progress (retention's batch) and then skips its rows,
       -- where the foreign key's check would fail the whole chunk once that delete commits (the
       -- indexer retried and failed again for as long as retention ran). No text of its own: the
       -- message's body is the text (the drain checked it is valid UTF-8 without control
       -- characters), then the record's error message.
       INSERT INTO dead_letter_search AS s (dead_letter_id, document, backlog_id)
       SELECT l.dead_letter_id,
              to_tsvector('simple'::regconfig, COALESCE(l.search_text, concat_ws(' ', convert_from(m.body, 'UTF8'), d.error_message))),
              l.id
         FROM latest l JOIN dead_letters d ON d.id = l.dead_letter_id
         LEFT JOIN dead_letter_messages m ON m.id = l.message_id AND l.search_text IS NULL
        ORDER BY l.dead_letter_id
          FOR KEY SHARE OF d
       ON CONFLICT (dead_letter_id) DO UPDATE
          SET document = EXCLUDED.document, backlog_id = EXCLUDED.backlog_id, indexed_at = now()
        WHERE s.backlog_id < EXCLUDED.backlog_id
     )
     SELECT count(*)::int AS taken FROM taken`,
    [chunk],
  );
  return rows[0]?.taken ?? 0;
}

/** Indexes until the backlog is empty (tests, benchmarks, upgrades); returns how many rows it took. */
export async function indexAllSearchBacklog(db: Queryable, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await indexSearchBacklog(db, chunk);
    total += n;
    if (n < chunk) return total;
  }
}

export interface SearchBacklogState {
  /** rows waiting to be indexed (from the id range: exact while chunks go in order, never a table count) */
  backlog: number;
  /** when the oldest of them was queued (null when none wait) */
  oldestQueuedAt: string | null;
}

/** Two primary-key lookups, so /api/health stays fast even with a million rows waiting. */
export async function searchBacklogState(db: Queryable): Promise<SearchBacklogState> {
  const { rows } = await db.query<{ lo: string | null; hi: string | null; oldest: Date | null }>(
    `SELECT (SELECT id FROM search_backlog ORDER BY id LIMIT 1) AS lo,
            (SELECT id FROM search_backlog ORDER BY id DESC LIMIT 1) AS hi,
            (SELECT queued_at FROM search_backlog ORDER BY id LIMIT 1) AS oldest`,
  );
  const r = rows[0];
  return {
    backlog: r?.lo && r.hi ? Number(r.hi) - Number(r.lo) + 1 : 0,
    oldestQueuedAt: r?.oldest ? new Date(r.oldest).toISOString() : null,
  };
}

export interface SearchIndexerOptions {
  chunk?: number;
  /** how often an idle indexer looks for work nobody told it about (another process's drain) */
  idleMs?: number;
  /** longest wait for the derivation to catch up before a chunk is indexed anyway (default 30 s) */
  maxDeferMs?: number;
}

/** Past maxDeferMs, while the derivation still lags: the rest after a chunk, in multiples of its time. */
const LAGGING_REST = 3;
const MAX_LAGGING_REST_MS = 10_000;

/** Runs indexSearchBacklog in a loop: at once when kicked (after a drain commit), else every idleMs. */
export class SearchIndexer extends KickedLoop {
  /** chunks indexed while the derivation lagged (each followed by a rest) */
  laggingChunks = 0;

  constructor(
    private readonly db: Queryable,
    private readonly log: Logger,
    private readonly options: SearchIndexerOptions = {},
  ) {
    super();
  }

  protected async run(): Promise<void> {
    const chunk = this.options.chunk ?? 2000;
    const maxDeferMs = this.options.maxDeferMs ?? 30_000;
    let failures = 0;
    let deferredSince: number | null = null;
    while (!this.abort.signal.aborted) {
      this.kicked = false;
      try {
        let lagging = false;
        if (await derivationPending(this.db)) {
          deferredSince ??= Date.now();
          if (Date.now() - deferredSince < maxDeferMs) {
            await this.idle(250);
            continue;
          }
          // waited long enough: index, a chunk at a time with rests, until the backlog is empty
          lagging = true;
        } else deferredSince = null;
        const started = performance.now();
        const n = await indexSearchBacklog(this.db, chunk);
        failures = 0;
        if (lagging && n > 0) {
          this.laggingChunks++;
          // not woken by kicks: the records are still being derived
          await sleep(Math.min((performance.now() - started) * LAGGING_REST, MAX_LAGGING_REST_MS), this.abort.signal);
          continue;
        }
        if (n >= chunk) continue; // more is waiting
        deferredSince = null;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'search indexing failed; retrying');
        await sleep(backoffDelay(failures++), this.abort.signal);
        continue;
      }
      if (!this.kicked) await this.idle(this.options.idleMs ?? 1000);
    }
  }
}

/** The indexer as every EventDesk process runs it: on a one-connection pool of its own. */
export function startSearchIndexer(databaseUrl: string, log: Logger): { kick(): void; stop(): Promise<void> } {
  const pool = guardPool(new pg.Pool({ connectionString: databaseUrl, max: 1, ...dbTimeouts(), application_name: 'eventdesk-search-indexer' }), (err) =>
    log.warn({ err: err.message }, 'search indexer database connection lost'),
  );
  const indexer = new SearchIndexer(pool, log).start();
  return {
    kick: () => indexer.kick(),
    stop: async () => {
      await indexer.stop();
      await pool.end().catch(ignoreClosing);
    },
  };
}

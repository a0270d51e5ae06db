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
// Two documents a record: the full text (operators' searches) and the text as viewers see it
// (lib/mask/viewer-search.ts), with the mask key it was built with. When it has nothing new to
// index, the indexer walks the documents (at start, then every 10 minutes) and queues again those
// of another masking (MASK_FIELDS changed, or written by a process of an older version), rebuilt
// from their messages.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from 'pino';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import { backoffDelay, sleep } from '@/lib/backoff';
import { ignoreClosing } from './ignore-closing';
import { KickedLoop } from './kicked-loop';
import { derivationPending } from './derive-dead-letters';
import { viewerMasking, viewerSearchText, type ViewerMasking } from '@/lib/mask/viewer-search';
import { MASK_SLICE_MS } from '@/lib/mask/mask-scan';
import { encodeCopyBinary } from './copy-binary';
import { SEARCH_TEXT_BODY_BYTES, searchableBodyText, searchTextOfBody } from './prepare-dead-letter';
import { withClient, type Queryable } from './with-client';

/** How long after a walk over the documents (queueStaleDocuments) the indexer walks them again. */
const STALE_WALK_EVERY_MS = 10 * 60_000;

/** The latest message of record `d`: the one it names, else (none named) its newest. */
const LATEST_MESSAGE_ID = `COALESCE(d.latest_message_id, (SELECT max(x.id) FROM dead_letter_messages x WHERE x.dead_letter_id = d.id))`;

/** A chunk's texts, streamed in with one binary COPY; one per session, emptied at each commit. */
const SEARCH_BATCH = `CREATE TEMP TABLE IF NOT EXISTS search_batch (
  dead_letter_id text, text text, viewer_text text, backlog_id bigint
) ON COMMIT DELETE ROWS`;

/**
 * Indexes up to `chunk` backlog rows in one transaction; returns how many it took. Each record's
 * latest row gives its text: the row's own, or (none) its message's body then the record's error
 * message, rebuilt as the derivation builds it (lib/bus/prepare-dead-letter.ts). Two documents
 * are written from it: the full one, and the one viewers search, masked in Node.
 */
export async function indexSearchBacklog(pool: pg.Pool, masking: ViewerMasking, chunk = 1000): Promise<number> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    const { rows: taken } = await client.query<{ id: string }>('SELECT id::text FROM search_backlog ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED', [chunk]);
    if (!taken.length) {
      await client.query('COMMIT');
      return 0;
    }
    const ids = taken.map((t) => t.id);
    // the join skips dead letters purged since they were queued, and those being purged now:
    // FOR KEY SHARE waits for a delete in progress (retention's batch) and then skips its rows,
    // where the foreign key's check would fail the whole chunk once that delete commits (the
    // indexer retried and failed again for as long as retention ran)
    const { rows } = await client.query<{
      backlog_id: string;
      dead_letter_id: string;
      search_text: string | null;
      body: Buffer | null;
      error_message: string | null;
    }>(
      `SELECT l.id::text AS backlog_id, l.dead_letter_id, l.search_text, substring(m.body FROM 1 FOR $2) AS body, d.error_message
         FROM (SELECT DISTINCT ON (dead_letter_id) id, dead_letter_id, search_text, message_id
                 FROM search_backlog WHERE id = ANY($1::bigint[]) ORDER BY dead_letter_id, id DESC) l
         JOIN dead_letters d ON d.id = l.dead_letter_id
         -- the death's message (rows queued before the derivation named it: the record's latest)
         LEFT JOIN dead_letter_messages m ON m.id = COALESCE(l.message_id, ${LATEST_MESSAGE_ID})
        ORDER BY l.dead_letter_id
          FOR KEY SHARE OF d`,
      [ids, SEARCH_TEXT_BODY_BYTES],
    );
    // the full text: the derivation's (a body that is not its own text), else body and error
    // message; the viewers' text: body and error message each masked as viewers are shown them
    const texts: string[] = [];
    const viewerTexts: string[] = [];
    let sliceStart = performance.now();
    for (const r of rows) {
      texts.push(r.search_text ?? searchTextOfBody(r.body, r.error_message));
      const body = searchableBodyText(r.body);
      viewerTexts.push(viewerSearchText(body.text, body.cut, r.error_message, masking.options));
      if (performance.now() - sliceStart > MASK_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    // the texts in by binary COPY: as an array parameter each was escaped in Node and parsed
    // again by PostgreSQL, which took longer than indexing them
    await client.query(SEARCH_BATCH);
    const payload = encodeCopyBinary(rows.map((r, i) => [r.dead_letter_id, texts[i], viewerTexts[i], BigInt(r.backlog_id)]));
    await pipeline(Readable.from([payload]), client.query(copyFrom('COPY search_batch FROM STDIN (FORMAT binary)')));
    await client.query(
      `WITH gone AS (DELETE FROM search_backlog WHERE id = ANY($1::bigint[]))
       INSERT INTO dead_letter_search AS s (dead_letter_id, document, viewer_document, mask_key, backlog_id)
       SELECT b.dead_letter_id::uuid, to_tsvector('simple'::regconfig, b.text), to_tsvector('simple'::regconfig, b.viewer_text), $2, b.backlog_id
         FROM search_batch b
       ON CONFLICT (dead_letter_id) DO UPDATE
          SET document = EXCLUDED.document, viewer_document = EXCLUDED.viewer_document, mask_key = EXCLUDED.mask_key,
              backlog_id = EXCLUDED.backlog_id, indexed_at = now()
        WHERE s.backlog_id < EXCLUDED.backlog_id`,
      [ids, masking.key],
    );
    await client.query('COMMIT');
    return taken.length;
  });
}

/** Indexes until the backlog is empty (tests, benchmarks, upgrades); returns how many rows it took. */
export async function indexAllSearchBacklog(pool: pg.Pool, masking: ViewerMasking, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await indexSearchBacklog(pool, masking, chunk);
    total += n;
    if (n < chunk) return total;
  }
}

/**
 * One step of the walk that rebuilds documents of another masking (MASK_FIELDS changed since they
 * were built, or built before viewers' documents existed): the next `step` documents after
 * `after` in id order, those of another mask key queued again from their record's latest
 * message. Returns where the step ended (null: the walk is over) and how many it queued. A
 * bounded primary-key range a step, so the walk costs the same on any table and never holds up
 * the indexing of new dead letters between steps.
 */
export async function queueStaleDocuments(db: Queryable, key: string, after: string | null, step = 2000): Promise<{ last: string | null; queued: number }> {
  const { rows } = await db.query<{ last: string | null; queued: number }>(
    `WITH walk AS (
       SELECT dead_letter_id, mask_key FROM dead_letter_search
        WHERE dead_letter_id > COALESCE($2::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
        ORDER BY dead_letter_id LIMIT $3
     ), queued AS (
       -- FOR SHARE: a derivation changing the record's latest message is waited for, so the row
       -- queued here (newer than the derivation's) is built from that message, not the one before
       INSERT INTO search_backlog (dead_letter_id, search_text, message_id)
       SELECT d.id, NULL, ${LATEST_MESSAGE_ID}
         FROM dead_letters d
        WHERE d.id IN (SELECT dead_letter_id FROM walk WHERE mask_key IS DISTINCT FROM $1)
        ORDER BY d.id
          FOR SHARE OF d
       RETURNING 1
     )
     SELECT (SELECT dead_letter_id::text FROM walk ORDER BY dead_letter_id DESC LIMIT 1) AS last, (SELECT count(*)::int FROM queued) AS queued`,
    [key, after, step],
  );
  return { last: rows[0]?.last ?? null, queued: rows[0]?.queued ?? 0 };
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
  /** documents rebuilt by the walk after which the table is analyzed (default REBUILT_BEFORE_ANALYZE) */
  analyzeAfter?: number;
}

/**
 * After the walk has queued this many documents to be rebuilt and they are indexed, the indexer
 * analyzes dead_letter_search: statistics taken while viewers' documents were empty (the version
 * before them, a masking that changed everything) made the planner expect one match where there
 * were 30,000, and a viewer's search took 8.8 s instead of 0.13 s over 300,000 records until
 * autovacuum got round to it (measured with bench:read).
 */
const REBUILT_BEFORE_ANALYZE = 10_000;

/** Past maxDeferMs, while the derivation still lags: the rest after a chunk, in multiples of its time. */
const LAGGING_REST = 3;
const MAX_LAGGING_REST_MS = 10_000;

/** Runs indexSearchBacklog in a loop: at once when kicked (after a drain commit), else every idleMs. */
export class SearchIndexer extends KickedLoop {
  /** chunks indexed while the derivation lagged (each followed by a rest) */
  laggingChunks = 0;

  /** documents the walk queued to be rebuilt since dead_letter_search was last analyzed */
  rebuiltSinceAnalyze = 0;

  /** the walk that rebuilds documents of another masking (queueStaleDocuments): the last document it passed, or when it ended */
  private staleWalk: { after: string | null } | { endedAt: number } = { after: null };

  constructor(
    private readonly db: pg.Pool,
    private readonly log: Logger,
    private readonly masking: ViewerMasking,
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
        const n = await indexSearchBacklog(this.db, this.masking, chunk);
        failures = 0;
        if (lagging && n > 0) {
          this.laggingChunks++;
          // not woken by kicks: the records are still being derived
          await sleep(Math.min((performance.now() - started) * LAGGING_REST, MAX_LAGGING_REST_MS), this.abort.signal);
          continue;
        }
        if (n >= chunk) continue; // more is waiting
        deferredSince = null;
        // the rebuilt documents are indexed: statistics for the planner that know them
        if (this.rebuiltSinceAnalyze >= (this.options.analyzeAfter ?? REBUILT_BEFORE_ANALYZE)) {
          const rebuilt = this.rebuiltSinceAnalyze;
          // once, whatever it gives: a failure (past the statement timeout on a huge table) must
          // not hold the walk behind it; autovacuum analyzes in the end
          this.rebuiltSinceAnalyze = 0;
          await this.db
            .query('ANALYZE dead_letter_search')
            .then(() => this.log.info({ rebuilt }, 'search documents rebuilt: statistics taken again'))
            .catch((err: Error) => this.log.warn({ err: err.message, rebuilt }, 'cannot analyze the rebuilt search documents; autovacuum will'));
        }
        // nothing new to index: a step of the walk that rebuilds documents of another masking
        // (at start, then every STALE_WALK_EVERY_MS: documents another process of an older
        // version or another MASK_FIELDS indexed meanwhile), then index what it queued
        if ('endedAt' in this.staleWalk && Date.now() - this.staleWalk.endedAt >= STALE_WALK_EVERY_MS) this.staleWalk = { after: null };
        if ('after' in this.staleWalk) {
          const step = await queueStaleDocuments(this.db, this.masking.key, this.staleWalk.after);
          if (step.queued) this.log.info({ queued: step.queued }, 'search documents of another masking queued to be rebuilt');
          this.rebuiltSinceAnalyze += step.queued;
          this.staleWalk = step.last ? { after: step.last } : { endedAt: Date.now() };
          continue;
        }
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
export function startSearchIndexer(databaseUrl: string, log: Logger, maskFields: readonly string[]): { kick(): void; stop(): Promise<void> } {
  const pool = guardPool(new pg.Pool({ connectionString: databaseUrl, max: 1, ...dbTimeouts(), application_name: 'eventdesk-search-indexer' }), (err) =>
    log.warn({ err: err.message }, 'search indexer database connection lost'),
  );
  const indexer = new SearchIndexer(pool, log, viewerMasking(maskFields)).start();
  return {
    kick: () => indexer.kick(),
    stop: async () => {
      await indexer.stop();
      await pool.end().catch(ignoreClosing);
    },
  };
}

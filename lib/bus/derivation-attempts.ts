// The derivation's guard against a message that kills its process. Reading a message (JSON,
// contract, headers: lib/bus/read-inbox.ts) runs in Node; a message that runs it out of memory, or
// any bug that takes the process down, would take it down again on every restart, since the
// watermark never moves past it, and the drain, in the same process, would stop with it: the DLQ
// would fill the broker. So each batch is announced before its messages are read, committed on a
// connection of its own (derivation_attempts). An announcement still standing at the same
// watermark when the next batch begins means the process died during that batch: its rows are then
// derived one at a time, without reading ahead, and a single row the process died on
// SINGLE_ROW_DEATHS times is set aside unread: recorded as an unreadable dead letter with its
// bytes, never parsed again. A death for another cause (SIGKILL, a deploy) costs one pass of one
// at a time over at most one batch, and never sets a message aside on its own: a message is set
// aside only after the process died on its batch and then twice on it alone.
import type pg from 'pg';
import type { Queryable } from './with-client';

/** Deaths of the process on one row, taken alone, after which it is set aside unread. */
export const SINGLE_ROW_DEATHS = 2;

export interface AttemptKey {
  tx: string;
  id: string;
}

/**
 * What the next batch does: a batch as usual; one row (the process died during the batch that
 * held it, or on it alone `deaths` times); or set that one row aside unread.
 */
export type AttemptPlan = { mode: 'batch' } | { mode: 'one-at-a-time'; deaths: number } | { mode: 'set-aside'; deaths: number };

interface AttemptRow {
  same: boolean | null;
  size: number;
  deaths: number;
  until_tx: string | null;
  until_id: string | null;
  recovering: boolean | null;
}

/** Reads the standing announcement, against the watermark `from` (read under its lock, by `db`). */
async function standing(db: Queryable, name: string, from: AttemptKey): Promise<AttemptRow | null> {
  const { rows } = await db.query<AttemptRow>(
    `SELECT (from_tx, from_id) = ($2::xid8, $3::bigint) AS same, size, deaths, until_tx::text AS until_tx, until_id::text AS until_id,
            (until_tx IS NOT NULL AND ($2::xid8, $3::bigint) < (until_tx, until_id)) AS recovering
       FROM derivation_attempts WHERE name = $1`,
    [name, from.tx, from.id],
  );
  return rows[0] ?? null;
}

/**
 * Decides the next batch from the watermark `from` (the caller holds its lock on `db`). `lastOf`
 * gives the key of the n-th row after the watermark (the end of a batch the process died during).
 */
export async function planAttempt(
  db: Queryable,
  name: string,
  from: AttemptKey,
  lastOf: (n: number) => Promise<AttemptKey | null>,
): Promise<AttemptPlan & { until: AttemptKey | null }> {
  const a = await standing(db, name, from);
  const until = a?.until_tx && a.until_id ? { tx: a.until_tx, id: a.until_id } : null;
  if (a?.same) {
    // the process died during the batch announced at this very watermark
    if (a.size === 1) {
      const deaths = a.deaths + 1;
      return deaths >= SINGLE_ROW_DEATHS ? { mode: 'set-aside', deaths, until } : { mode: 'one-at-a-time', deaths, until };
    }
    // its rows, one at a time, up to its last (the rows of a batch do not change once stored)
    return { mode: 'one-at-a-time', deaths: 0, until: until && a.recovering ? until : await lastOf(a.size) };
  }
  if (a?.recovering && until) return { mode: 'one-at-a-time', deaths: 0, until };
  return { mode: 'batch', until: null };
}

/**
 * Announces a batch of `size` rows from `from`, committed at once on a connection of the pool's
 * own (the caller's transaction holds the watermark's lock, not this row's).
 */
export async function announceAttempt(pool: pg.Pool, name: string, from: AttemptKey, size: number, deaths: number, until: AttemptKey | null): Promise<void> {
  await pool.query(
    `INSERT INTO derivation_attempts (name, from_tx, from_id, size, deaths, until_tx, until_id, started_at)
     VALUES ($1, $2::xid8, $3::bigint, $4, $5, $6::xid8, $7::bigint, now())
     ON CONFLICT (name) DO UPDATE SET from_tx = EXCLUDED.from_tx, from_id = EXCLUDED.from_id, size = EXCLUDED.size,
       deaths = EXCLUDED.deaths, until_tx = EXCLUDED.until_tx, until_id = EXCLUDED.until_id, started_at = EXCLUDED.started_at`,
    [name, from.tx, from.id, size, deaths, until?.tx ?? null, until?.id ?? null],
  );
}

/**
 * The batch announced at `from` ended in an error this process caught (it is alive): not a death.
 * Best effort: if it cannot be said, the next batch takes that one batch's rows one at a time.
 */
export async function forgetAttempt(pool: pg.Pool, name: string, from: AttemptKey): Promise<void> {
  await pool
    .query(`UPDATE derivation_attempts SET from_tx = NULL, from_id = NULL WHERE name = $1 AND (from_tx, from_id) = ($2::xid8, $3::bigint)`, [
      name,
      from.tx,
      from.id,
    ])
    .catch(() => undefined);
}

// The derivation's guard against a message that kills its process. Reading a message (JSON,
// contract, headers: lib/bus/read-inbox.ts) runs in Node; a message that runs it out of memory, or
// any bug that takes the process down, would take it down again on every restart, since the
// watermark never moves past it, and the drain, in the same process, would stop with it: the DLQ
// would fill the broker. So each batch is announced before its messages are read, committed on a
// connection of its own (derivation_attempts). An announcement still standing at the same
// watermark when the next batch begins, made by another process (this one is alive), means that
// process died during that batch. The batch is tried again as it was (without reading ahead): a
// process dies for many reasons (SIGKILL, the OOM killer of a busy host, a deploy cut short), and
// in a cluster a worker's death must not slow the others. Dead during it BATCH_DEATHS times, its
// rows are derived one at a time, and a single row the process died on, alone, SINGLE_ROW_DEATHS
// times is set aside unread:
// recorded as an unreadable dead letter inside PostgreSQL (its bytes never come into Node). Should
// even that die, the row is passed unrecorded (kept in the inbox, logged). A death for another
// cause costs one more try of its batch, and never sets a message aside on its own: that takes two
// deaths during its batch and two with it alone.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Queryable } from './with-client';

/** Deaths of the process during one batch, after which its rows go one at a time. */
export const BATCH_DEATHS = 2;

/** Deaths of the process on one row taken alone, after which it is set aside unread. */
export const SINGLE_ROW_DEATHS = 2;

export interface AttemptKey {
  tx: string;
  id: string;
}

/** batch: as usual; alone: one row after a death; set-aside: recording that row unread */
export type AttemptMode = 'batch' | 'alone' | 'set-aside';

/**
 * This process, in its announcements: a standing one of its own is a failure it lived through,
 * never a death. Kept on globalThis: a bundler may give each chunk its own copy of this module.
 */
const OWNER: string = ((globalThis as { __eventdeskDeriveOwner?: string }).__eventdeskDeriveOwner ??=
  `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`);

/**
 * What the next batch does: a batch as usual; the same batch again, without reading ahead (the
 * process died during it `deaths` times); one row alone (`deaths`: the process died on it alone
 * that often); set it aside unread; or pass it unrecorded (setting it aside died too).
 */
export type AttemptPlan =
  | { mode: 'batch' }
  | { mode: 'again'; deaths: number }
  | { mode: 'one-at-a-time'; deaths: number }
  | { mode: 'set-aside'; deaths: number }
  | { mode: 'pass'; deaths: number };

interface AttemptRow {
  same: boolean | null;
  size: number;
  mode: AttemptMode;
  deaths: number;
  until_tx: string | null;
  until_id: string | null;
  recovering: boolean | null;
  mine: boolean;
}

/** Reads the standing announcement, against the watermark `from` (read under its lock, by `db`). */
async function standing(db: Queryable, name: string, from: AttemptKey): Promise<AttemptRow | null> {
  try {
    const { rows } = await db.query<AttemptRow>(
      `SELECT (from_tx, from_id) = ($2::xid8, $3::bigint) AS same, size, mode, deaths, until_tx::text AS until_tx, until_id::text AS until_id,
              (until_tx IS NOT NULL AND ($2::xid8, $3::bigint) < (until_tx, until_id)) AS recovering, owner = $4 AS mine
         FROM derivation_attempts WHERE name = $1`,
      [name, from.tx, from.id, OWNER],
    );
    return rows[0] ?? null;
  } catch (err) {
    if ((err as { code?: unknown }).code === '42P01') throw new Error('the table derivation_attempts is missing (are the migrations applied?)');
    throw err;
  }
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
  if (a?.same && !a.mine) {
    // the process that announced the batch at this very watermark died during it
    if (a.mode === 'set-aside') return { mode: 'pass', deaths: a.deaths, until };
    if (a.mode === 'alone') {
      const deaths = a.deaths + 1;
      return deaths >= SINGLE_ROW_DEATHS ? { mode: 'set-aside', deaths, until } : { mode: 'one-at-a-time', deaths, until };
    }
    // a batch: tried again as it was, then its rows one at a time, up to its last (the rows of a
    // batch do not change once stored)
    if (a.deaths + 1 < BATCH_DEATHS) return { mode: 'again', deaths: a.deaths + 1, until };
    return { mode: 'one-at-a-time', deaths: 0, until: until && a.recovering ? until : await lastOf(a.size) };
  }
  // this process's own, standing: a failure it lived through, tried again as it was
  if (a?.same && a.mine && a.mode === 'alone') return { mode: 'one-at-a-time', deaths: a.deaths, until };
  if (a?.same && a.mine && a.mode === 'batch' && a.deaths > 0) return { mode: 'again', deaths: a.deaths, until };
  if (a?.recovering && until) return { mode: 'one-at-a-time', deaths: 0, until };
  return { mode: 'batch', until: null };
}

/**
 * Announces a batch of `size` rows from `from`, committed at once on a connection of the pool's
 * own (the caller's transaction holds the watermark's lock, not this row's).
 */
export async function announceAttempt(
  pool: pg.Pool,
  name: string,
  from: AttemptKey,
  a: { size: number; mode: AttemptMode; deaths: number; until: AttemptKey | null },
): Promise<void> {
  await pool.query(
    `INSERT INTO derivation_attempts (name, from_tx, from_id, size, mode, deaths, until_tx, until_id, owner, started_at)
     VALUES ($1, $2::xid8, $3::bigint, $4, $5, $6, $7::xid8, $8::bigint, $9, now())
     ON CONFLICT (name) DO UPDATE SET from_tx = EXCLUDED.from_tx, from_id = EXCLUDED.from_id, size = EXCLUDED.size, mode = EXCLUDED.mode,
       deaths = EXCLUDED.deaths, until_tx = EXCLUDED.until_tx, until_id = EXCLUDED.until_id, owner = EXCLUDED.owner, started_at = EXCLUDED.started_at`,
    [name, from.tx, from.id, a.size, a.mode, a.deaths, a.until?.tx ?? null, a.until?.id ?? null, OWNER],
  );
}

/**
 * This process's announcement at `from` (or any of its own, without `from`: at a graceful stop)
 * ended in an error it caught, or will never finish: not a death. Best effort: if it cannot be
 * said, the owner still tells it from a death to this process, and costs another process one pass
 * of one at a time.
 */
export async function forgetAttempt(pool: pg.Pool, name: string, from?: AttemptKey): Promise<void> {
  await pool
    .query(
      `UPDATE derivation_attempts SET from_tx = NULL, from_id = NULL
        WHERE name = $1 AND owner = $2 AND ($3::xid8 IS NULL OR (from_tx, from_id) = ($3::xid8, $4::bigint))`,
      [name, OWNER, from?.tx ?? null, from?.id ?? null],
    )
    .catch(() => undefined);
}

// The derivation (issue 20: store first, derive after): turns the rows the drain stored in
// dead_letter_inbox into records, messages, failure groups and their counts, rollups, history and
// the search backlog, a whole batch at a time with set-based statements (lib/bus/write-batch.ts),
// and in the SAME transaction advances the watermark (derivation_state) and deletes the rows it
// derived. A crash before the COMMIT leaves everything as it was: the rows are derived again,
// once. One process derives at a time: the watermark row is locked for the whole batch (SKIP
// LOCKED: another process's deriver simply finds it busy).
// Order: rows are taken in (tx, id) order, and only those whose writing transaction is older than
// every transaction still running, so a drain batch that commits late is never skipped.
// A batch the database refuses for its data is split down to the row at fault, which is recorded
// as an unreadable dead letter (its bytes kept) instead of stopping the derivation.
import type pg from 'pg';
import type { Logger } from 'pino';
import { ignoreClosing } from './ignore-closing';
import { fromInboxRow, type InboxDeath, type InboxPrepared } from './inbox-row';
import { recordUnreadable } from './park';
import { isTransientStoreError, storeErrorText } from './store-errors';
import { writeBatch } from './write-batch';
import type { Queryable } from './search-indexer';

export const DERIVATION = 'dead-letters';

export interface DeriveResult {
  /** inbox rows taken (derived, or recorded as unreadable) */
  taken: number;
  /** false when another process holds the derivation */
  ran: boolean;
}

type InboxRow = { tx: string; id: string; fingerprint: string; dlq: string; failed_at: Date; prepared: InboxPrepared };

/** Test hook: a pause inside the derivation transaction, after the derived rows are written. */
const pauseMs = () => Number(process.env.EVENTDESK_TEST_DERIVE_PAUSE_MS ?? 0);

async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const onError = () => {};
  client.on('error', onError);
  try {
    const result = await fn(client);
    client.off('error', onError);
    client.release();
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(ignoreClosing);
    client.off('error', onError);
    client.release(err as Error);
    throw err;
  }
}

/** Locks the watermark (null when another process holds it). */
async function lockState(client: pg.PoolClient): Promise<{ tx: string; id: string } | null> {
  const { rows } = await client.query<{ tx: string; id: string }>(
    `SELECT last_tx::text AS tx, last_id::text AS id FROM derivation_state WHERE name = $1 FOR UPDATE SKIP LOCKED`,
    [DERIVATION],
  );
  return rows[0] ?? null;
}

async function takeRows(client: pg.PoolClient, from: { tx: string; id: string }, limit: number): Promise<InboxRow[]> {
  const { rows } = await client.query<InboxRow>(
    // (the table's own columns in ORDER BY: the output columns of the same names are text)
    `SELECT i.tx::text AS tx, i.id::text AS id, i.fingerprint, i.dlq, i.failed_at, i.prepared
       FROM dead_letter_inbox i
      WHERE (i.tx, i.id) > ($1::xid8, $2::bigint) AND i.tx < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY i.tx, i.id
      LIMIT $3`,
    [from.tx, from.id, limit],
  );
  return rows;
}

/** Derived (or set aside): the rows leave the inbox and the watermark moves past them. */
async function advance(client: pg.PoolClient, from: { tx: string; id: string }, rows: InboxRow[]): Promise<void> {
  const last = rows[rows.length - 1];
  const { rows: done } = await client.query<{ gone: number }>(
    `WITH gone AS (
       DELETE FROM dead_letter_inbox WHERE (tx, id) > ($1::xid8, $2::bigint) AND (tx, id) <= ($3::xid8, $4::bigint) RETURNING 1
     ), moved AS (
       UPDATE derivation_state SET last_tx = $3::xid8, last_id = $4::bigint, derived_total = derived_total + $5, derived_at = now()
        WHERE name = $6
     )
     SELECT count(*)::int AS gone FROM gone`,
    [from.tx, from.id, last.tx, last.id, rows.length, DERIVATION],
  );
  // the range holds exactly the rows taken, or the watermark is wrong: never commit that
  if (done[0].gone !== rows.length) {
    throw Object.assign(new Error(`derivation range (${from.tx},${from.id})..(${last.tx},${last.id}) held ${done[0].gone} rows, ${rows.length} taken`), {
      code: '40001',
    });
  }
}

async function writeDerived(client: pg.PoolClient, rows: InboxRow[]): Promise<void> {
  // one writeBatch per DLQ (a record takes the DLQ of its latest death), in arrival order
  const byDlq = new Map<string, InboxDeath[]>();
  for (const row of rows) {
    let list = byDlq.get(row.dlq);
    if (!list) byDlq.set(row.dlq, (list = []));
    list.push(fromInboxRow(row));
  }
  for (const [dlq, deaths] of byDlq) await writeBatch(client, deaths, dlq);
}

/**
 * Derives up to `limit` inbox rows in one transaction. A batch refused for its data is split
 * (each half its own transaction, in order) down to the row at fault.
 */
export async function deriveBatch(pool: pg.Pool, log: Logger, limit = 2000): Promise<DeriveResult> {
  const first = await withClient(pool, async (client) => {
    await client.query('BEGIN');
    const from = await lockState(client);
    if (!from) {
      await client.query('ROLLBACK');
      return { ran: false as const };
    }
    const rows = await takeRows(client, from, limit);
    if (!rows.length) {
      await client.query('ROLLBACK');
      return { ran: true as const, rows, from, done: true };
    }
    try {
      await writeDerived(client, rows);
      if (pauseMs()) await client.query('SELECT pg_sleep($1)', [pauseMs() / 1000]);
      await advance(client, from, rows);
      await client.query('COMMIT');
      return { ran: true as const, rows, from, done: true };
    } catch (err) {
      if (isTransientStoreError(err)) throw err;
      await client.query('ROLLBACK');
      log.warn({ err: storeErrorText(err), size: rows.length }, 'derivation batch refused by the database; splitting it');
      return { ran: true as const, rows, from, done: false };
    }
  });
  if (!first.ran) return { taken: 0, ran: false };
  if (first.done) return { taken: first.rows.length, ran: true };
  await deriveSplitting(pool, log, first.rows);
  return { taken: first.rows.length, ran: true };
}

/** Derives `rows` (consecutive, from the watermark on) in halves; a single refused row is set aside. */
async function deriveSplitting(pool: pg.Pool, log: Logger, rows: InboxRow[]): Promise<void> {
  if (rows.length > 1) {
    const half = Math.ceil(rows.length / 2);
    for (const part of [rows.slice(0, half), rows.slice(half)]) {
      const ok = await deriveExactly(pool, part);
      if (!ok) await deriveSplitting(pool, log, part);
    }
    return;
  }
  if (await deriveExactly(pool, rows)) return;
  await setAside(pool, log, rows[0]);
}

const sameRow = (a: InboxRow | undefined, b: InboxRow | undefined) => !!a && !!b && a.tx === b.tx && a.id === b.id;

/**
 * Derives exactly these rows (the next ones after the watermark): false when refused for their
 * data; true too when they are no longer next (another process derived them meanwhile).
 */
async function deriveExactly(pool: pg.Pool, rows: InboxRow[]): Promise<boolean> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    const from = await lockState(client);
    if (!from) throw Object.assign(new Error('derivation taken over by another process'), { code: '55P03' });
    const next = await takeRows(client, from, rows.length);
    if (!sameRow(next[0], rows[0]) || !sameRow(next[next.length - 1], rows[rows.length - 1])) {
      await client.query('ROLLBACK');
      return true;
    }
    try {
      await writeDerived(client, rows);
      await advance(client, from, rows);
      await client.query('COMMIT');
      return true;
    } catch (err) {
      if (isTransientStoreError(err)) throw err;
      await client.query('ROLLBACK');
      return false;
    }
  });
}

/** A row no derivation can store: kept as an unreadable dead letter (its bytes), then passed. */
async function setAside(pool: pg.Pool, log: Logger, row: InboxRow): Promise<void> {
  const { rows } = await pool.query<{ body: Buffer; properties: unknown; headers: unknown; received_at: Date }>(
    `SELECT body, properties::text AS properties, headers::text AS headers, received_at FROM dead_letter_inbox WHERE tx = $1::xid8 AND id = $2::bigint`,
    [row.tx, row.id],
  );
  const raw = rows[0];
  if (raw) {
    const death = { ...fromInboxRow(row), body: raw.body, properties: String(raw.properties), headers: String(raw.headers) };
    const reason = 'refused by the database when its record was derived';
    const recordId = await recordUnreadable(pool, death, reason, '(none: kept in the database)', raw.received_at, log, row.dlq);
    log.error({ recordId, fingerprint: row.fingerprint, eventId: death.eventId }, 'dead letter could not be derived; recorded as unreadable');
  }
  await withClient(pool, async (client) => {
    await client.query('BEGIN');
    const from = await lockState(client);
    if (!from) throw Object.assign(new Error('derivation taken over by another process'), { code: '55P03' });
    const next = await takeRows(client, from, 1);
    if (sameRow(next[0], row)) await advance(client, from, [row]);
    await client.query('COMMIT');
  });
}

export interface DerivationLag {
  /** rows stored by the drain and not derived yet */
  messages: number;
  /** how long the oldest of them has waited (0 when none) */
  seconds: number;
  derivedTotal: number;
  derivedAt: string | null;
}

/** For /api/health and the list: counted up to `cap` rows (an index-only walk), never a full scan. */
export async function readDerivationLag(db: Queryable, cap = 1_000_000): Promise<DerivationLag> {
  const { rows } = await db.query<{ n: number; oldest: Date | null; total: string; at: Date | null }>(
    `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM dead_letter_inbox LIMIT $1::int) x) AS n,
            (SELECT i.received_at FROM dead_letter_inbox i ORDER BY i.tx, i.id LIMIT 1) AS oldest,
            s.derived_total::text AS total, s.derived_at AS at
       FROM derivation_state s WHERE s.name = $2::text`,
    [cap, DERIVATION],
  );
  const r = rows[0];
  return {
    messages: r?.n ?? 0,
    seconds: r?.oldest ? Math.max(0, Math.round((Date.now() - new Date(r.oldest).getTime()) / 100) / 10) : 0,
    derivedTotal: Number(r?.total ?? 0),
    derivedAt: r?.at ? new Date(r.at).toISOString() : null,
  };
}

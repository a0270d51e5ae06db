// The derivation (issue 20: store first, derive after): turns the rows the drain stored in
// dead_letter_inbox into records, messages, failure groups and their counts, rollups, history and
// the search backlog, a whole batch at a time with set-based statements run inside PostgreSQL
// (lib/bus/derive-records.ts), and in the SAME transaction advances the watermark
// (derivation_state). A crash before the COMMIT leaves everything as it was: the rows are derived
// again, once. One process derives at a time: the watermark row is locked for the whole batch
// (SKIP LOCKED: another process's deriver simply finds it busy).
// Order: rows are taken in (tx, id) order, and only those whose writing transaction is older than
// every transaction still running in this database, so a drain batch that commits late is never
// skipped (DERIVABLE_BEFORE).
// Rows whose messages cannot be read are recorded as unreadable dead letters (their bytes kept) and
// passed, the rows between them derived; a batch the database refuses for its data is halved down
// to the row at fault, recorded the same way: no row stops the derivation. Nor does a row whose
// reading kills the process: each batch is announced before it is read, and after a death its rows
// go one at a time until the one at fault is set aside unread (lib/bus/derivation-attempts.ts).
import type pg from 'pg';
import type { Logger } from 'pino';
import { withClient, type Queryable } from './with-client';
import { fromInboxRow, storedMessage, type InboxPrepared } from './inbox-row';
import { errorText, unreadableDeath, type PreparedDeath } from './prepare-dead-letter';
import { recordUnreadable, recordUnreadableFromInbox } from './park';
import { isTransientStoreError, storeErrorText } from './store-errors';
import { deriveLoadedBatch, loadBatch, nextDerivable, UnreadableRowError, type InboxKey } from './derive-records';
import { isRawPrepared, nextBatchKeys, parseJson, READ_BYTES, readKeys, readNext, readRow, type InboxBatch, type StoredRow } from './read-inbox';
import { announceAttempt, BATCH_DEATHS, forgetAttempt, planAttempt } from './derivation-attempts';

/** The watermark's name (renamed from 'dead-letters' when rows became raw: migration 20261212020000). */
export const DERIVATION = 'raw-inbox';

/**
 * Inbox rows a derivation batch takes (EVENTDESK_DERIVE_BATCH overrides it, for benchmarks). 5,000:
 * bench:drain derived a burst of 100,000 in 1.33-1.36x the drain's time with it, 1.55-1.66x with
 * 2,000 (each batch has a fixed cost: lifecycle, group rows, statistics, commit).
 */
export const DERIVE_BATCH = Number(process.env.EVENTDESK_DERIVE_BATCH) > 0 ? Number(process.env.EVENTDESK_DERIVE_BATCH) : 5000;

export interface DeriveResult {
  /** inbox rows taken (derived, or recorded as unreadable) */
  taken: number;
  /** false when another process holds the derivation */
  ran: boolean;
  /** the next batch, being read (options.readAhead): pass it on as the next call's `ahead` */
  next?: Promise<InboxBatch | null>;
}

/** Test hook: a pause inside the derivation transaction, after the derived rows are written. */
const pauseMs = () => Number(process.env.EVENTDESK_TEST_DERIVE_PAUSE_MS ?? 0);

/** Locks the watermark (null when another process holds it). */
async function lockState(client: pg.PoolClient): Promise<InboxKey | null> {
  const { rows } = await client.query<InboxKey>(
    `SELECT last_tx::text AS tx, last_id::text AS id FROM derivation_state WHERE name = $1 FOR UPDATE SKIP LOCKED`,
    [DERIVATION],
  );
  return rows[0] ?? null;
}

/**
 * Not locked: held by another process, unless the watermark row is missing (migrations not
 * applied, or a rollback past 20261212020000, which renamed it): an error then, never "busy".
 */
async function watermarkExists(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query(`SELECT 1 FROM derivation_state WHERE name = $1`, [DERIVATION]);
  if (!rows.length) throw new Error(`the derivation watermark "${DERIVATION}" is missing from derivation_state (are the migrations applied?)`);
}

/** The keys of the next `limit` derivable rows after the watermark (all of them: to check that a part is still next). */
async function followingKeys(client: pg.PoolClient, from: InboxKey, limit: number): Promise<InboxKey[]> {
  const { rows } = await client.query<InboxKey>(nextDerivable('x.tx::text AS tx, x.id::text AS id'), [from.tx, from.id, limit]);
  return rows;
}

/**
 * Derived (or set aside): the watermark moves past the rows, in the transaction that derived them.
 * The rows themselves are deleted later, when the deriver has nothing to derive (cleanInbox):
 * during a burst that work would only slow the burst down.
 */
async function advance(client: pg.PoolClient, from: InboxKey, rows: InboxKey[]): Promise<void> {
  const last = rows[rows.length - 1];
  const { rowCount } = await client.query(
    `UPDATE derivation_state SET last_tx = $3::xid8, last_id = $4::bigint, derived_total = derived_total + $5, derived_at = now()
      WHERE name = $6 AND (last_tx, last_id) = ($1::xid8, $2::bigint)`,
    [from.tx, from.id, last.tx, last.id, rows.length, DERIVATION],
  );
  // we hold the row locked since we read it: anything else is a bug, never to be committed
  if (rowCount !== 1) throw Object.assign(new Error('the derivation watermark moved under its lock'), { code: '40001' });
}

/**
 * Deletes up to `limit` inbox rows the derivation is past (their fingerprints live on in
 * dead_letter_messages, which keeps a later redelivery a duplicate). Returns how many. A row
 * marked kept (setAside: not even its unreadable record could be written) stays: it is the only
 * copy of its message.
 */
export async function cleanInbox(pool: pg.Pool, limit = 10_000): Promise<number> {
  // the watermark only moves forward: whatever is at or below it stays derived
  const { rowCount } = await pool.query(
    `DELETE FROM dead_letter_inbox WHERE (tx, id) IN (
       SELECT x.tx, x.id FROM dead_letter_inbox x, derivation_state w
        WHERE w.name = $2 AND (x.tx, x.id) <= (w.last_tx, w.last_id) AND left(x.prepared, 9) <> '{"kept":t'
        ORDER BY x.tx, x.id LIMIT $1)`,
    [limit, DERIVATION],
  );
  return rowCount ?? 0;
}

export interface DeriveOptions {
  /**
   * The batch read while the previous one was derived (deriveBatch's `next`): used when it follows
   * the watermark as found under the lock, else read again.
   */
  ahead?: Promise<InboxBatch | null>;
  /** read the next batch (returned as `next`) while this one is derived, when this one is full */
  readAhead?: boolean;
}

/** A read ahead that fails is only a batch to read again: never an unhandled rejection. */
function readAheadFrom(pool: pg.Pool, from: InboxKey, limit: number): Promise<InboxBatch | null> {
  return withClient(pool, (c) => readNext(c, from, limit)).catch(() => null);
}

/**
 * How a batch went: derived, refused by the database for its data (to be halved down to the row
 * at fault), or holding rows whose messages cannot be read (`unreadable`: their places in it).
 */
type Outcome = { done: true } | { done: false; unreadable?: number[]; killedBy?: { deaths: number; pass: boolean } };

/** What a refused batch's error says of it. */
function refused(err: unknown, keys: InboxKey[]): Outcome {
  if (!(err instanceof UnreadableRowError)) return { done: false };
  const place = new Map(keys.map((k, i) => [`${k.tx}/${k.id}`, i]));
  const unreadable = err.keys.map((k) => place.get(`${k.tx}/${k.id}`)).filter((i): i is number => i !== undefined);
  return unreadable.length ? { done: false, unreadable: [...new Set(unreadable)].sort((a, b) => a - b) } : { done: false };
}

/**
 * Derives up to `limit` inbox rows in one transaction. A batch refused for its data is derived
 * again in parts (deriveInParts): rows that cannot be read are set aside at once, a batch the
 * database refuses is halved down to the row at fault.
 */
export async function deriveBatch(pool: pg.Pool, log: Logger, limit = DERIVE_BATCH, options: DeriveOptions = {}): Promise<DeriveResult> {
  const first = await withClient(
    pool,
    async (client): Promise<{ ran: false } | { ran: true; from: InboxKey; keys: InboxKey[]; outcome: Outcome; next?: Promise<InboxBatch | null> }> => {
      await client.query('BEGIN');
      const from = await lockState(client);
      if (!from) {
        await client.query('ROLLBACK');
        await watermarkExists(client);
        return { ran: false as const };
      }
      let keys: InboxKey[] = [];
      let next: Promise<InboxBatch | null> | undefined;
      // the process died during the batch announced at this watermark: one row at a time (or that one set aside)
      const plan = await planAttempt(client, DERIVATION, from, async (n) => (await followingKeys(client, from, n)).at(-1) ?? null);
      if (plan.mode === 'set-aside' || plan.mode === 'pass') {
        // the row it died on: set aside unread (or, if that died too, passed) outside this transaction
        keys = await followingKeys(client, from, 1);
        await client.query('ROLLBACK');
        return {
          ran: true as const,
          from,
          keys,
          outcome: keys.length ? { done: false as const, killedBy: { deaths: plan.deaths, pass: plan.mode === 'pass' } } : { done: true as const },
        };
      }
      const alone = plan.mode === 'one-at-a-time';
      const size = alone ? 1 : limit;
      // after a death: no read ahead (a death while reading the next batch would be put down to this one)
      const afterDeath = alone || plan.mode === 'again';
      // announced once its rows are known, before they are read: the reading is what may kill the process
      const announce = (taken: InboxKey[]) =>
        taken.length
          ? announceAttempt(pool, DERIVATION, from, {
              size: taken.length,
              mode: alone ? 'alone' : 'batch',
              deaths: plan.mode === 'batch' ? 0 : plan.deaths,
              until: plan.until,
            })
          : Promise.resolve();
      try {
        // rows are never changed once stored: a batch read earlier is still right if it follows this watermark
        const ahead = options.ahead ? await options.ahead : null;
        // only a full one: rows of a drain batch that began after it was read may be derivable now
        let batch: InboxBatch;
        if (!afterDeath && ahead && ahead.keys.length >= limit && sameKey(ahead.from, from)) {
          batch = ahead;
          await announce(batch.keys);
        } else batch = await readNext(client, from, size, READ_BYTES, announce);
        keys = batch.keys;
        if (!keys.length) {
          await client.query('ROLLBACK');
          return { ran: true as const, from, keys, outcome: { done: true } };
        }
        if (plan.mode === 'again')
          log.warn(
            { tx: keys[0].tx, id: keys[0].id, deaths: plan.deaths },
            'a process died while deriving this batch: deriving it again, without reading ahead',
          );
        if (alone)
          log.warn(
            { tx: keys[0].tx, id: keys[0].id, deaths: plan.deaths },
            'the process died while deriving a batch that holds this message: deriving it alone (that batch one message at a time)',
          );
        await loadBatch(client, keys, batch.readings);
        // the next batch is read (in Node) while PostgreSQL derives this one; never after a death
        // (a death while reading it ahead would be put down to this batch)
        if (options.readAhead && !afterDeath && keys.length >= limit) next = readAheadFrom(pool, keys[keys.length - 1], limit);
        await deriveLoadedBatch(client);
        if (pauseMs()) await client.query('SELECT pg_sleep($1)', [pauseMs() / 1000]);
        await advance(client, from, keys);
        await client.query('COMMIT');
        return { ran: true as const, from, keys, outcome: { done: true }, next };
      } catch (err) {
        // a read ahead of a batch that failed is of no use: it ends (it never rejects) before the
        // connection is given back, so at most one is ever in flight
        if (next) await next;
        if (isTransientStoreError(err)) {
          // this process lives on: not a death (its batch is tried again as usual)
          await forgetAttempt(pool, DERIVATION, from);
          throw err;
        }
        await client.query('ROLLBACK');
        // refused while reading: the same rows, by key only, to derive in parts
        if (!keys.length) keys = await nextBatchKeys(client, from, size);
        log.warn({ err: storeErrorText(err), size: keys.length }, 'derivation batch refused; deriving it in parts');
        return { ran: true as const, from, keys, outcome: refused(err, keys) };
      }
    },
  );
  if (!first.ran) return { taken: 0, ran: false };
  if (first.outcome.done) return { taken: first.keys.length, ran: true, next: first.next };
  if (first.outcome.killedBy !== undefined) {
    await setAsideUnread(pool, log, first.from, first.keys[0], first.outcome.killedBy);
    return { taken: 1, ran: true };
  }
  try {
    await deriveInParts(pool, log, first.keys, first.outcome);
  } catch (err) {
    // a failure this process lives on: not a death
    await forgetAttempt(pool, DERIVATION, first.from);
    throw err;
  }
  return { taken: first.keys.length, ran: true };
}

/**
 * Derives `keys` (consecutive, from the watermark on), whose whole went as `outcome`: each run of
 * rows between unreadable ones is derived in one transaction (each row read once more) and each
 * unreadable row is set aside, in order; a part the database refused is halved, each half its own
 * transaction in order, down to a single row, which is set aside.
 */
async function deriveInParts(pool: pg.Pool, log: Logger, keys: InboxKey[], outcome: Outcome): Promise<void> {
  if (outcome.done) return;
  const derive = async (part: InboxKey[]) => deriveInParts(pool, log, part, await deriveExactly(pool, part));
  if (outcome.unreadable?.length) {
    let start = 0;
    for (const at of outcome.unreadable) {
      if (at > start) await derive(keys.slice(start, at));
      await setAside(pool, log, keys[at]);
      start = at + 1;
    }
    if (start < keys.length) await derive(keys.slice(start));
    return;
  }
  if (keys.length === 1) {
    await setAside(pool, log, keys[0]);
    return;
  }
  const half = Math.ceil(keys.length / 2);
  await derive(keys.slice(0, half));
  await derive(keys.slice(half));
}

const sameKey = (a: InboxKey | undefined, b: InboxKey | undefined) => !!a && !!b && a.tx === b.tx && a.id === b.id;

/**
 * Derives exactly these rows (the next ones after the watermark); done too when they are no
 * longer next (another process derived them meanwhile).
 */
async function deriveExactly(pool: pg.Pool, keys: InboxKey[]): Promise<Outcome> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    const from = await lockState(client);
    if (!from) throw Object.assign(new Error('derivation taken over by another process'), { code: '55P03' });
    const next = await followingKeys(client, from, keys.length);
    if (!sameKey(next[0], keys[0]) || !sameKey(next[next.length - 1], keys[keys.length - 1])) {
      await client.query('ROLLBACK');
      return { done: true };
    }
    try {
      await loadBatch(client, keys, await readKeys(client, keys));
      await deriveLoadedBatch(client);
      await advance(client, from, keys);
      await client.query('COMMIT');
      return { done: true };
    } catch (err) {
      if (isTransientStoreError(err)) throw err;
      await client.query('ROLLBACK');
      return refused(err, keys);
    }
  });
}

/** A stored row as the derivation reads it; never throws (a row that cannot be read at all: an unreadable death of its bytes). */
function readStoredRow(raw: StoredRow & { failed_at: Date | null }): PreparedDeath {
  try {
    return isRawPrepared(raw.prepared)
      ? readRow(raw)
      : fromInboxRow({ ...raw, failed_at: raw.failed_at ?? raw.received_at, prepared: JSON.parse(raw.prepared) as InboxPrepared });
  } catch (err) {
    const { message } = storedMessage(raw.body, {}, {}, { redelivered: false, routingKey: null });
    return unreadableDeath(message, new Date(raw.received_at), `cannot read the stored row: ${errorText(err)}`);
  }
}

/** A row no derivation can store: kept as an unreadable dead letter (its bytes), then passed. */
async function setAside(pool: pg.Pool, log: Logger, key: InboxKey): Promise<void> {
  const { rows } = await pool.query<StoredRow & { fingerprint: string; dlq: string; failed_at: Date | null }>(
    `SELECT tx::text AS tx, id::text AS id, fingerprint, dlq, failed_at, prepared, body, properties::text AS properties,
            headers::text AS headers, received_at
       FROM dead_letter_inbox WHERE tx = $1::xid8 AND id = $2::bigint`,
    [key.tx, key.id],
  );
  const raw = rows[0];
  /** why the row is kept (cleanInbox never deletes it), when nothing else could hold its message */
  let keep: string | null = null;
  if (raw) {
    // a raw row is read here as the derivation read it (its reading may be what failed)
    const read = readStoredRow(raw);
    const death = { ...read, fingerprint: raw.fingerprint, body: raw.body, properties: raw.properties, headers: raw.headers };
    const reason = read.unreadable ?? 'refused by the database when its record was derived';
    const recordId = await recordUnreadable(pool, death, reason, null, raw.received_at, log, raw.dlq);
    if (recordId)
      log.error({ recordId, fingerprint: raw.fingerprint, eventId: death.eventId, reason }, 'dead letter could not be derived; recorded as unreadable');
    else {
      // not even the unreadable record could be written: the inbox row is its only copy, kept
      keep = reason;
      log.error(
        { tx: key.tx, id: key.id, fingerprint: raw.fingerprint, reason },
        'dead letter could not be derived nor recorded as unreadable; kept in dead_letter_inbox',
      );
    }
  }
  await passRow(pool, key, keep);
}

/**
 * Moves the watermark past `key` if it is still the next row; `keep` (a reason): its "prepared"
 * marked kept first, {"kept":true,"reason":...,"prepared":<as it was>} (cleanInbox never deletes
 * it: the only copy of its message).
 */
async function passRow(pool: pg.Pool, key: InboxKey, keep: string | null): Promise<void> {
  await withClient(pool, async (client) => {
    await client.query('BEGIN');
    const from = await lockState(client);
    if (!from) throw Object.assign(new Error('derivation taken over by another process'), { code: '55P03' });
    const next = await followingKeys(client, from, 1);
    if (sameKey(next[0], key)) {
      // built inside PostgreSQL: the row's "prepared" is not read into Node
      if (keep !== null)
        await client.query(
          `UPDATE dead_letter_inbox SET prepared = '{"kept":true,"reason":' || to_json($3::text)::text || ',"prepared":' || to_json(prepared)::text || '}'
            WHERE tx = $1::xid8 AND id = $2::bigint`,
          [key.tx, key.id, keep],
        );
      await advance(client, from, [key]);
    }
    await client.query('COMMIT');
  });
}

/** Largest properties or headers (JSON text) read from a row whose reading killed the process. */
const UNREAD_TABLE_CHARS = 64 * 1024;

/**
 * A row whose reading killed the process (derivation-attempts.ts): recorded as an unreadable dead
 * letter inside PostgreSQL, its body never fetched into Node, its properties and headers only when
 * small (for the queue it died in). Announced first: should this die too, the next attempt passes
 * the row unrecorded (`pass`), kept in the inbox, logged.
 */
async function setAsideUnread(pool: pg.Pool, log: Logger, from: InboxKey, key: InboxKey, killed: { deaths: number; pass: boolean }): Promise<void> {
  const deaths = BATCH_DEATHS + killed.deaths; // the deaths during its batch, then those alone
  if (killed.pass) {
    const reason = `the process died ${deaths + 1} times while deriving it, the last while setting it aside: passed unrecorded`;
    log.error({ tx: key.tx, id: key.id, reason }, 'dead letter could not be derived nor recorded; kept in dead_letter_inbox');
    await passRow(pool, key, reason);
    return;
  }
  await announceAttempt(pool, DERIVATION, from, { size: 1, mode: 'set-aside', deaths: killed.deaths, until: null });
  const reason = `the process died ${deaths} times while deriving it (out of memory, or a crash while reading it): set aside unread`;
  const { rows } = await pool.query<{ properties: string | null; headers: string | null; received_at: Date }>(
    `SELECT CASE WHEN octet_length(properties::text) <= $3 THEN properties::text END AS properties,
            CASE WHEN octet_length(headers::text) <= $3 THEN headers::text END AS headers, received_at
       FROM dead_letter_inbox WHERE tx = $1::xid8 AND id = $2::bigint`,
    [key.tx, key.id, UNREAD_TABLE_CHARS],
  );
  const raw = rows[0];
  let recordId: string | null = null;
  if (raw) {
    const table = (json: string | null): unknown => (json === null ? {} : parseJson(json));
    // what can be told without the body: the queue it died in, its routing key, its group
    const { message } = storedMessage(Buffer.alloc(0), table(raw.properties), table(raw.headers), { redelivered: false, routingKey: null });
    const death = unreadableDeath(message, new Date(raw.received_at), reason);
    recordId = await recordUnreadableFromInbox(pool, key, death, reason, log);
    if (recordId) log.error({ recordId, tx: key.tx, id: key.id, reason }, 'dead letter set aside unread: its reading killed the process');
  }
  await passRow(pool, key, recordId ? null : reason);
}

export interface DerivationLag {
  /** rows stored by the drain and not derived yet */
  messages: number;
  /** how long the oldest of them has waited (0 when none) */
  seconds: number;
  derivedTotal: number;
  derivedAt: string | null;
}

// Rows past the watermark are read as an index range from it, never by a scan of the whole inbox
// (which holds every derived row until the deriver is idle: cleanInbox). PostgreSQL guesses a
// third of the table for a row comparison (tx, id) > (...), so a read joined with derivation_state
// was planned as a sequential scan: 24 ms at 20,000 rows, for the search indexer's check 4 times a
// second during a burst (4 s of PostgreSQL CPU in bench:drain's 100,000). The watermark is read
// first and the range given with it as constants, led by "tx >= $1", which the planner estimates
// from the statistics.

/** The watermark (null before the first migration ran, or when the row is missing). */
async function readWatermark(db: Queryable): Promise<(InboxKey & { total: string; at: Date | null }) | null> {
  const { rows } = await db.query<InboxKey & { total: string; at: Date | null }>(
    `SELECT last_tx::text AS tx, last_id::text AS id, derived_total::text AS total, derived_at AS at FROM derivation_state WHERE name = $1`,
    [DERIVATION],
  );
  return rows[0] ?? null;
}

const PAST_WATERMARK = `i.tx >= $1::xid8 AND (i.tx, i.id) > ($1::xid8, $2::bigint)`;

/** Whether stored dead letters wait to be derived into records (one index probe past the watermark). */
export async function derivationPending(db: Queryable): Promise<boolean> {
  const w = await readWatermark(db);
  if (!w) return false;
  const { rows } = await db.query(`SELECT 1 FROM dead_letter_inbox i WHERE ${PAST_WATERMARK} ORDER BY i.tx, i.id LIMIT 1`, [w.tx, w.id]);
  return rows.length > 0;
}

/** For /api/health and the list: the rows past the watermark, counted up to `cap` (an index range), never a full scan. */
export async function readDerivationLag(db: Queryable, cap = 1_000_000): Promise<DerivationLag> {
  const w = await readWatermark(db);
  const { rows } = w
    ? await db.query<{ n: number; oldest: Date | null }>(
        `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM dead_letter_inbox i WHERE ${PAST_WATERMARK} LIMIT $3::int) x) AS n,
                (SELECT i.received_at FROM dead_letter_inbox i WHERE ${PAST_WATERMARK} ORDER BY i.tx, i.id LIMIT 1) AS oldest`,
        [w.tx, w.id, cap],
      )
    : { rows: [] };
  const r = rows[0];
  return {
    messages: r?.n ?? 0,
    seconds: r?.oldest ? Math.max(0, Math.round((Date.now() - new Date(r.oldest).getTime()) / 100) / 10) : 0,
    derivedTotal: Number(w?.total ?? 0),
    derivedAt: w?.at ? new Date(w.at).toISOString() : null,
  };
}

/**
 * When the newest dead letter still held was stored (by any process: /api/health's "last drained"
 * when this process has drained nothing since it started, or runs no drain). Two index probes,
 * backwards on each table's arrival order: the inbox (stored, maybe not derived yet) and the messages.
 */
export async function readLastStoredAt(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT GREATEST((SELECT received_at FROM dead_letter_inbox ORDER BY tx DESC, id DESC LIMIT 1),
                     (SELECT received_at FROM dead_letter_messages ORDER BY id DESC LIMIT 1)) AS at`,
  );
  const at = rows[0]?.at;
  return at ? new Date(at).toISOString() : null;
}

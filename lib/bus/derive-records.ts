// The derivation's write (issue 20: store first, derive after): turns a batch of dead_letter_inbox
// rows into records, messages, failure groups with their counts and hourly buckets, per-minute
// stats, history, the group lifecycle and the search backlog, in the caller's transaction.
// The batch is loaded once into a temporary table (each row's reading of its message, done in
// Node by lib/bus/read-inbox.ts, parsed there once), and each step is ONE set-based statement
// over the whole batch that joins it: bodies and headers are copied inside PostgreSQL; Node sends
// keys and readings and reads back counts.
// Exactly-once: the unique fingerprint of dead_letter_messages makes a message derived twice (a
// redelivery drained after its first copy was derived) insert nothing and change nothing. A first
// delivery (redelivered=false) identical to a stored message is a new publish that died again: it
// is stored under a suffixed fingerprint, as a death of its own.
// Lock order: records and failure groups are written sorted by key (byte order), so two writers
// (the deriver and an operator's retry of an unreadable message) queue instead of deadlocking.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { UNKNOWN_TYPE } from '@/lib/groups/signature';
import { copyPayload, type CopyValue } from './copy-binary';
import { beginGroupLifecycle, DRAIN_CAUSE, finishGroupLifecycle, type LifecycleCause } from './group-lifecycle-writes';
import type { PreparedDeath } from './prepare-dead-letter';
import type { InboxPrepared } from './inbox-row';
import type { Reading } from './read-inbox';
import { insertRaw } from './write-raw';

type Client = pg.PoolClient | pg.Client;

/** An inbox row's key: its writing transaction's id and its id (the message id it keeps). */
export interface InboxKey {
  tx: string;
  id: string;
}

export interface DeriveCounts {
  /** deaths stored (messages new to dead_letter_messages) */
  stored: number;
  /** rows whose message was already stored (a redelivery derived twice) */
  duplicates: number;
  newRecords: number;
}

// One set per session, emptied at each commit; created on first use in a session (and again after
// a rollback took them away). JIT off for the transaction: the planner knows little of these
// tables, and a cost guessed high made it compile each statement (~70 ms a batch, for nothing).
// work_mem for the transaction: the batch's sorts (5,000 rows, bodies among them) spilled to disk
// at the default 4 MB. derive_batch: the batch, the reading of each row's message as columns;
// derive_records: each record the batch touches, as it was before (status, group) and whether the
// batch created it; derive_fresh: the rows whose message was new; derive_new: those rows with
// their record.
const TEMP_TABLES = `
CREATE TEMP TABLE IF NOT EXISTS derive_batch (
  seq int, tx xid8, id bigint, fingerprint text, dlq text, failed_at timestamptz, received_at timestamptz,
  redelivered boolean, event_key text, event_key_source text, event_id text, event_type text, version text,
  routing_key text, queue text, reason text, exchange text, error_message text, validation_status text,
  violations text, correlation_id text, group_id text, group_key json, content_type text, body_size int,
  body_sha256 text, republish_count int, deaths json, death_count int, search_text text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS derive_records (
  id uuid, event_key text, queue text, inserted boolean, status text, group_id text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS derive_fresh (id bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS derive_new (
  seq int, id bigint, rid uuid, inserted boolean, old_status text, old_group_id text
) ON COMMIT DELETE ROWS;
DELETE FROM derive_batch; DELETE FROM derive_records; DELETE FROM derive_fresh; DELETE FROM derive_new;
SET LOCAL jit = off;
SET LOCAL work_mem = '64MB';
SELECT 'derive_batch'::regclass::oid::text AS oid;`;

/** A row written with its reading done (its "prepared" JSON text) as json_to_record reads it: every field and its type. */
const PREPARED_TYPES = {
  redelivered: 'boolean',
  eventKey: 'text',
  eventKeySource: 'text',
  eventId: 'text',
  eventType: 'text',
  version: 'text',
  routingKey: 'text',
  queue: 'text',
  reason: 'text',
  exchange: 'text',
  errorMessage: 'text',
  validationStatus: 'text',
  violations: 'text',
  correlationId: 'text',
  group: 'json',
  groupId: 'text',
  contentType: 'text',
  bodySize: 'int',
  bodySha256: 'text',
  republishCount: 'int',
  deaths: 'json',
  deathCount: 'int',
} satisfies Record<keyof InboxPrepared, string>;
const PREPARED_RECORD = Object.entries(PREPARED_TYPES)
  .map(([field, type]) => `"${field}" ${type}`)
  .join(', ');

/**
 * The transaction id below which every inbox row is final, read from the statement's own snapshot:
 * the oldest transaction that snapshot saw running (or the next id, when it saw none), so the
 * watermark never passes a drain batch that commits late. pg_snapshot_xmin would do, but it counts
 * every database of the cluster (one long transaction anywhere on the server would stop the
 * derivation), so a running id is skipped when pg_stat_activity shows it in ANOTHER database.
 * Only that way round is safe: pg_stat_activity is read after the snapshot was taken, and a
 * transaction of this database that committed in between is in neither list any more, yet its
 * rows are not in the snapshot either. (Reading the running ids of this database from
 * pg_stat_activity, as this did before, let the watermark pass such a batch: its rows were never
 * derived. The drain tests with several drainers found it under load.) A transaction prepared for
 * two-phase commit in another database is left out the same way (pg_prepared_xacts). Their ids are
 * 32-bit: compared with the snapshot's low 32 bits (running ids are within 2^31 of each other).
 */
export const DERIVABLE_BEFORE = `(
  SELECT COALESCE(
    (SELECT r FROM pg_snapshot_xip(pg_current_snapshot()) AS r
      WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                         WHERE a.datname <> current_database() AND a.backend_xid::text::bigint = r::text::bigint % 4294967296)
        AND NOT EXISTS (SELECT 1 FROM pg_prepared_xacts p
                         WHERE p.database <> current_database() AND p.transaction::text::bigint = r::text::bigint % 4294967296)
      ORDER BY r LIMIT 1),
    pg_snapshot_xmax(pg_current_snapshot())))`;

/** The inbox rows the derivation may take next: after the watermark ($1, $2), final, in (tx, id) order, $3 of them. */
export const nextDerivable = (columns: string) => `SELECT ${columns} FROM dead_letter_inbox x
  WHERE (x.tx, x.id) > ($1::xid8, $2::bigint) AND x.tx < ${DERIVABLE_BEFORE}
  ORDER BY x.tx, x.id LIMIT $3`;

/** derive_batch's columns after seq, in order: what batchRow gives for a row read in Node. */
const BATCH_COLUMNS = `tx, id, fingerprint, dlq, failed_at, received_at, redelivered, event_key, event_key_source, event_id,
  event_type, version, routing_key, queue, reason, exchange, error_message, validation_status, violations, correlation_id,
  group_id, group_key, content_type, body_size, body_sha256, republish_count, deaths, death_count, search_text`;

/** A raw row's derive_batch values (after seq) from its reading (lib/bus/read-inbox.ts). */
export function batchRow(row: { tx: string; id: string; fingerprint: string; dlq: string; receivedAt: Date }, d: PreparedDeath): CopyValue[] {
  return [
    BigInt(row.tx),
    BigInt(row.id),
    row.fingerprint,
    row.dlq,
    d.failedAt,
    row.receivedAt,
    d.redelivered,
    d.eventKey,
    d.eventKeySource,
    d.eventId,
    d.eventType,
    d.version,
    d.routingKey,
    d.queue,
    d.reason,
    d.exchange,
    d.errorMessage,
    d.validationStatus,
    d.violations,
    d.correlationId,
    d.groupId,
    JSON.stringify(d.group),
    d.contentType,
    d.bodySize,
    d.bodySha256,
    d.republishCount,
    JSON.stringify(d.deaths),
    d.deathCount,
    d.searchText,
  ];
}

/** Rows whose messages cannot be read: the derivation sets each aside as unreadable (the rows between them derive). */
export class UnreadableRowError extends RangeError {
  constructor(
    /** every unreadable row of the batch, in arrival order */
    readonly keys: InboxKey[],
    reason: string,
  ) {
    super(`${keys.length} inbox row(s) cannot be read, the first ${keys[0].tx}/${keys[0].id}: ${reason}`);
  }
}

/**
 * Loads exactly these rows (in (tx, id) order) into derive_batch: the raw ones from their readings
 * (lib/bus/read-inbox.ts), streamed in with one binary COPY; those written with their reading done
 * from their own columns. Returns how many rows it loaded.
 */
export async function loadBatch(client: Client, keys: InboxKey[], readings: Reading[] = []): Promise<number> {
  const unreadable = readings.filter((r) => r.unreadable).sort((a, b) => a.seq - b.seq);
  if (unreadable.length)
    throw new UnreadableRowError(
      unreadable.map((r) => r.key),
      unreadable[0].unreadable ?? 'unreadable',
    );
  // a multi-statement query: one result each, the last one the batch table's oid
  const created = (await client.query(TEMP_TABLES)) as unknown as pg.QueryResult<{ oid: string }>[];
  const table = created[created.length - 1].rows[0].oid;
  // seq: the row's place in arrival order, whichever way it is loaded
  const seqOf = new Map(keys.map((k, i) => [`${k.tx}/${k.id}`, i + 1]));
  if (readings.length) {
    for (const r of readings) {
      const key = `${r.key.tx}/${r.key.id}`;
      if (seqOf.get(key) !== r.seq) throw new Error(`a reading of inbox row ${key} that is not in the batch at its place`);
      seqOf.delete(key);
    }
    const payload = copyPayload(readings.map((r) => r.row));
    await pipeline(Readable.from([payload]), client.query(copyFrom(`COPY derive_batch (seq, ${BATCH_COLUMNS}) FROM STDIN (FORMAT binary)`)));
  }
  let loaded = readings.length;
  if (seqOf.size) {
    // rows whose "prepared" is a reading already (a raw one without its reading here has none to
    // give: its record cannot be inserted, and the batch is split down to it and sets it aside)
    const rest = [...seqOf];
    const { rowCount } = await client.query(
      `INSERT INTO derive_batch (seq, ${BATCH_COLUMNS})
       SELECT k.seq, x.tx, x.id, x.fingerprint, x.dlq,
              -- (a row an older drain stored with a forged death time: its arrival, as the drain does now)
              CASE WHEN x.failed_at < '1970-01-01' OR x.failed_at > x.received_at + interval '1 day' THEN x.received_at ELSE x.failed_at END,
              x.received_at,
              p.redelivered, p."eventKey", p."eventKeySource", p."eventId", p."eventType", p.version, p."routingKey",
              p.queue, p.reason, p.exchange, p."errorMessage", p."validationStatus", p.violations, p."correlationId",
              p."groupId", p."group", p."contentType", p."bodySize", p."bodySha256", p."republishCount", p.deaths,
              p."deathCount", x.search_text
         FROM unnest($1::xid8[], $2::bigint[], $3::int[]) AS k(tx, id, seq)
         JOIN dead_letter_inbox x ON x.tx = k.tx AND x.id = k.id,
              json_to_record(x.prepared::json) AS p(${PREPARED_RECORD})`,
      [rest.map(([k]) => k.split('/')[0]), rest.map(([k]) => k.split('/')[1]), rest.map(([, seq]) => seq)],
    );
    loaded += rowCount ?? 0;
  }
  if (needsStatistics(client, table, loaded)) await client.query('ANALYZE derive_batch');
  return loaded;
}

/** Per connection (the temporary tables are its own): the batch table and the largest batch its statistics were taken from. */
const analyzed = new WeakMap<Client, { table: string; size: number }>();

/**
 * Statistics, so the planner picks joins for the batch's real size: taken once a session for a
 * batch of this order of size (they outlive the rows, which go at each commit, and the planner
 * scales the row count they give to the table's current size), and again for a table created anew
 * (a rollback of the transaction that created it took it away). ANALYZE on every batch cost 5-10
 * us a message, 5% of the derivation.
 */
function needsStatistics(client: Client, table: string, size: number): boolean {
  if (size <= 100) return false;
  const last = analyzed.get(client);
  if (last && last.table === table && last.size * 4 >= size) return false;
  analyzed.set(client, { table, size });
  return true;
}

/**
 * Derives what loadBatch loaded, in the caller's transaction. `cause`: whom a group it reopens is
 * put down to (the drain; an operator's retry of an unreadable dead letter).
 */
export async function deriveLoadedBatch(client: Client, cause: LifecycleCause = DRAIN_CAUSE): Promise<DeriveCounts> {
  // 1. One record per (event key, queue), from its latest death in the batch: the new ones
  // inserted complete (their latest message's id is its inbox id), the existing ones locked.
  await client.query(
    `WITH per AS (
       -- the record's columns only: the window sorts these rows (deaths and search text stay behind)
       SELECT b.seq, b.id, b.dlq, b.event_key, b.event_key_source, b.event_id, b.event_type, b.version, b.routing_key,
              b.queue, b.reason, b.exchange, b.republish_count, b.error_message, b.validation_status, b.violations,
              b.correlation_id, b.group_id, b.content_type, b.body_size, b.body_sha256,
              count(*) OVER w AS n, min(b.failed_at) OVER w AS ff, max(b.failed_at) OVER w AS lf,
              row_number() OVER (PARTITION BY b.event_key, b.queue ORDER BY b.seq DESC) AS rn
         FROM derive_batch b
       WINDOW w AS (PARTITION BY b.event_key, b.queue)
     ), up AS (
       INSERT INTO dead_letters AS d (event_key, event_key_source, event_id, event_type, version, routing_key, queue,
         reason, exchange, status, attempts, republish_count, first_failed_at, last_failed_at, error_message,
         validation_status, violations, correlation_id, group_id, content_type, body_size, body_sha256,
         latest_message_id, dlq)
       SELECT event_key, event_key_source, event_id, event_type, version, routing_key, queue, reason, exchange,
              'pending', n, republish_count, ff, lf, error_message, validation_status, violations::jsonb,
              correlation_id, group_id, content_type, body_size, body_sha256, id, dlq
         FROM per WHERE rn = 1
        ORDER BY event_key COLLATE "C", queue COLLATE "C"
       ON CONFLICT (event_key, queue) DO UPDATE SET updated_at = d.updated_at
       RETURNING d.id, d.event_key, d.queue, (xmax = 0) AS inserted, d.status, d.group_id
     )
     INSERT INTO derive_records SELECT * FROM up`,
  );

  // 2. The messages (bytes copied from the inbox row); a fingerprint already stored is a
  // redelivery: nothing to do. Then the first deliveries among those: new deaths, suffixed.
  const messages = (where: string, fingerprint: string) =>
    client.query(
      `WITH ins AS (
         INSERT INTO dead_letter_messages (id, dead_letter_id, fingerprint, body, properties, headers, deaths, received_at)
         SELECT b.id, r.id, ${fingerprint}, i.body, i.properties, i.headers, b.deaths, i.received_at
           FROM derive_batch b
           JOIN derive_records r ON r.event_key = b.event_key AND r.queue = b.queue
           JOIN dead_letter_inbox i ON i.tx = b.tx AND i.id = b.id
          WHERE ${where}
          ORDER BY b.fingerprint COLLATE "C"
         ON CONFLICT (fingerprint) DO NOTHING
         RETURNING id
       )
       INSERT INTO derive_fresh SELECT id FROM ins`,
    );
  await messages('true', 'b.fingerprint');
  // an identical new death only when the message it matches was stored before this row: one
  // stored by a transaction that began after this row's is this very message's redelivered copy,
  // stored and derived while this row's write was held up (its channel had died meanwhile)
  await messages(
    `NOT b.redelivered AND NOT EXISTS (SELECT 1 FROM derive_fresh f WHERE f.id = b.id)
     AND NOT EXISTS (SELECT 1 FROM dead_letter_messages m WHERE m.fingerprint = b.fingerprint AND m.received_at > b.received_at)`,
    `b.fingerprint || ':' || gen_random_uuid()`,
  );
  const { rows: counted } = await client.query<{ fresh: number; total: number; created: number }>(
    `WITH n AS (
       INSERT INTO derive_new
       SELECT b.seq, b.id, r.id, r.inserted, r.status, r.group_id
         FROM derive_batch b
         JOIN derive_fresh f ON f.id = b.id
         JOIN derive_records r ON r.event_key = b.event_key AND r.queue = b.queue
       RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM n) AS fresh, (SELECT count(*)::int FROM derive_batch) AS total,
            (SELECT count(*)::int FROM derive_records WHERE inserted) AS created`,
  );
  const { fresh, total, created } = counted[0];
  if (fresh === 0) return { stored: 0, duplicates: total, newRecords: created };

  // 3. Existing records that got new deaths take their latest one's values.
  await client.query(
    `WITH per AS (
       SELECT b.*, n.rid, count(*) OVER w AS n, min(b.failed_at) OVER w AS ff, max(b.failed_at) OVER w AS lf,
              row_number() OVER (PARTITION BY n.rid ORDER BY b.seq DESC) AS rn
         FROM derive_new n JOIN derive_batch b ON b.seq = n.seq
        WHERE NOT n.inserted
       WINDOW w AS (PARTITION BY n.rid)
     )
     UPDATE dead_letters d SET
       attempts = d.attempts + t.n,
       first_failed_at = LEAST(d.first_failed_at, t.ff),
       last_failed_at = GREATEST(d.last_failed_at, t.lf),
       status = 'pending',
       -- read before this SET (old values): a record republished before that dies again
       failed_again_after_retry = d.failed_again_after_retry OR d.republish_count > 0 OR d.status = 'republished' OR t.republish_count > 0,
       latest_message_id = t.id,
       republish_count = t.republish_count,
       error_message = t.error_message,
       validation_status = t.validation_status,
       violations = t.violations::jsonb,
       group_id = t.group_id,
       event_type = t.event_type,
       version = t.version,
       routing_key = t.routing_key,
       reason = t.reason,
       exchange = t.exchange,
       correlation_id = COALESCE(t.correlation_id, d.correlation_id),
       content_type = t.content_type,
       body_size = t.body_size,
       body_sha256 = t.body_sha256,
       dlq = t.dlq,
       updated_at = now()
     FROM per t
     WHERE t.rn = 1 AND d.id = t.rid`,
  );

  // 4. Incidents (issue 16): reopen resolved groups, end passed snoozes, note the groups created.
  const { rows: touched } = await client.query<{ id: string }>(`SELECT DISTINCT b.group_id AS id FROM derive_new n JOIN derive_batch b ON b.seq = n.seq`);
  const lifecycle = await beginGroupLifecycle(
    client,
    touched.map((g) => g.id),
    cause,
  );

  // 5. History, failure groups (count, pending_count, hourly buckets), per-minute stats and the
  // search backlog in ONE statement (data-modifying CTEs).
  // pending_count: a record is pending in its latest group now; a record that was pending in
  // another group leaves that group's pending count (step 6).
  await client.query(
    `WITH f AS (
       SELECT b.*, n.rid, n.inserted, n.old_status, n.old_group_id,
              row_number() OVER (PARTITION BY n.rid ORDER BY b.seq) AS first_rn,
              row_number() OVER (PARTITION BY n.rid ORDER BY b.seq DESC) AS last_rn
         FROM derive_new n JOIN derive_batch b ON b.seq = n.seq
     ), history AS (
       -- 'dead-lettered' for the first death of a new record, else 'failed-again'; "at" is the time
       -- it is written, after the records' locks (its default: migration 20261214010000_history_clock_time),
       -- not the batch's start, so an operator's change the batch waited for reads before it
       INSERT INTO dead_letter_history (dead_letter_id, action, actor, details)
       SELECT rid, CASE WHEN inserted AND first_rn = 1 THEN 'dead-lettered' ELSE 'failed-again' END, 'drain',
              jsonb_build_object('queue', queue, 'reason', reason, 'count', death_count,
                'failedAt', to_char(failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'republishCount', republish_count)
         FROM f ORDER BY seq
     ), pending AS (
       -- +1 in the group of a record's latest death, unless it was already pending there
       SELECT group_id, count(*)::int AS n FROM f
        WHERE last_rn = 1 AND (inserted OR old_status IS DISTINCT FROM 'pending' OR old_group_id IS DISTINCT FROM group_id)
        GROUP BY group_id
     ), groups AS (
       INSERT INTO failure_groups AS g (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
       SELECT a.group_id, a.k->>'eventType', a.k->>'queue', a.k->>'reason', a.k->>'signature', a.n, COALESCE(p.n, 0), a.ff, a.lf
         FROM (SELECT group_id, (array_agg(group_key))[1] AS k, count(*)::int AS n, min(failed_at) AS ff, max(failed_at) AS lf
                 FROM f GROUP BY group_id) a
         LEFT JOIN pending p ON p.group_id = a.group_id
        ORDER BY a.group_id COLLATE "C"
       ON CONFLICT (id) DO UPDATE SET
         count = g.count + EXCLUDED.count,
         pending_count = g.pending_count + EXCLUDED.pending_count,
         first_seen_at = LEAST(g.first_seen_at, EXCLUDED.first_seen_at),
         last_seen_at = GREATEST(g.last_seen_at, EXCLUDED.last_seen_at)
     ), hours AS (
       INSERT INTO failure_group_hours AS h (group_id, hour, count)
       SELECT group_id, date_trunc('hour', failed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, count(*)::int
         FROM f GROUP BY 1, 2 ORDER BY group_id COLLATE "C", 2
       ON CONFLICT (group_id, hour) DO UPDATE SET count = h.count + EXCLUDED.count
     ), search AS (
       -- each record that got a death is (re)indexed from its latest death's text, by the search
       -- indexer after this commit; a death without search text of its own: its body is the text,
       -- read by the indexer from its message (from which viewers' text is built in every case)
       INSERT INTO search_backlog (dead_letter_id, search_text, message_id)
       SELECT rid, search_text, id FROM f WHERE last_rn = 1
     ), failed AS (
       -- failed events (the error rate's numerator): each event once, at the earliest death of its
       -- records new in this batch, counted only when no other record of the same event exists (in
       -- another queue, or a batch before): all its records are this batch's. Unreadable messages
       -- are not events. (A scalar subquery on purpose: one index probe per event, where the
       -- planner may turn NOT EXISTS into an anti-join that reads all of dead_letters every batch.)
       SELECT DISTINCT ON (f.event_key) f.event_key, f.failed_at, f.event_type
         FROM f JOIN (SELECT event_key, array_agg(queue) AS queues FROM derive_records WHERE inserted GROUP BY event_key) k
           ON k.event_key = f.event_key
        WHERE f.inserted AND f.event_key NOT LIKE 'unreadable:%'
          AND (SELECT true FROM dead_letters d WHERE d.event_key = f.event_key AND d.queue <> ALL(k.queues) LIMIT 1) IS NULL
        ORDER BY f.event_key, f.failed_at, f.seq
     )
     INSERT INTO event_minute_stats AS s (minute, event_type, dead_lettered, failed_events)
     SELECT m, t, sum(dead), sum(failed) FROM (
       SELECT date_trunc('minute', failed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m, COALESCE(NULLIF(event_type, ''), $1) AS t,
              1 AS dead, 0 AS failed FROM f
       UNION ALL
       SELECT date_trunc('minute', c.failed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', COALESCE(NULLIF(c.event_type, ''), $1), 0, 1
         FROM failed c
     ) x GROUP BY m, t ORDER BY m, t
     ON CONFLICT (minute, event_type) DO UPDATE SET dead_lettered = s.dead_lettered + EXCLUDED.dead_lettered,
       failed_events = s.failed_events + EXCLUDED.failed_events`,
    [UNKNOWN_TYPE],
  );
  await finishGroupLifecycle(client, lifecycle);

  // 6. A record pending in another group leaves it. Its own statement: one statement must not
  // modify the same group row twice.
  await client.query(
    `UPDATE failure_groups g SET pending_count = GREATEST(0, g.pending_count - t.n)
       FROM (SELECT n.old_group_id AS id, count(*)::int AS n
               FROM (SELECT DISTINCT ON (n.rid) n.rid, n.old_group_id, n.old_status, b.group_id
                       FROM derive_new n JOIN derive_batch b ON b.seq = n.seq
                      WHERE NOT n.inserted ORDER BY n.rid, n.seq DESC) n
              WHERE n.old_status = 'pending' AND n.old_group_id IS DISTINCT FROM n.group_id
              GROUP BY n.old_group_id) t
      WHERE g.id = t.id`,
  );
  return { stored: fresh, duplicates: total - fresh, newRecords: created };
}

/**
 * Stores and derives deaths at once, in the caller's transaction, as the drain and the derivation
 * would one after the other (an operator's retry of an unreadable message, whose reopen of a group
 * is theirs: `cause`): through the inbox, whose rows are gone again before the transaction
 * commits, so the deriver never sees them.
 */
export async function storeAndDerive(client: Client, deaths: PreparedDeath[], dlq: string, cause: LifecycleCause = DRAIN_CAUSE): Promise<DeriveCounts> {
  const keys = [...(await insertRaw(client, deaths, dlq)).values()];
  if (!keys.length) return { stored: 0, duplicates: deaths.length, newRecords: 0 };
  await loadBatch(client, keys);
  const counts = await deriveLoadedBatch(client, cause);
  await client.query(`DELETE FROM dead_letter_inbox WHERE (tx, id) IN (SELECT * FROM unnest($1::xid8[], $2::bigint[]))`, [
    keys.map((k) => k.tx),
    keys.map((k) => k.id),
  ]);
  return counts;
}

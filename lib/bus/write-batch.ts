// Writes one batch of prepared deaths in ONE transaction with one statement per table (unnest of
// parameter arrays), so a batch of 2,000 costs about ten round trips. Exactly-once comes from the
// unique fingerprint: a redelivered message whose row is already committed inserts nothing and
// changes nothing. Rows are sorted by key in every statement, so concurrent drainers lock rows in
// the same order (no deadlocks between them; a deadlock anyway is retried by the caller).
import { uuidArray } from '@/lib/db/uuid-array';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { searchTextOf, type PreparedDeath } from './prepare-dead-letter';
import type { InboxDeath } from './inbox-row';
import { UNKNOWN_TYPE } from '@/lib/groups/signature';
import { beginGroupLifecycle, finishGroupLifecycle } from './group-lifecycle-writes';

export interface BatchResult {
  /** deaths stored (new messages) */
  stored: number;
  /** deliveries that were already stored (redeliveries) */
  duplicates: number;
  newRecords: number;
}

const isInboxDeath = (d: PreparedDeath): d is InboxDeath => (d as Partial<InboxDeath>).inbox !== undefined;
const recordKey = (d: PreparedDeath) => `${d.eventKey}\u0000${d.queue}`;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
const minuteOf = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000);

/** One copy per fingerprint; identical first deliveries (redelivered=false) are separate deaths. */
export function dedupeBatch(deaths: PreparedDeath[]): PreparedDeath[] {
  const seen = new Set<string>();
  const out: PreparedDeath[] = [];
  for (const d of deaths) {
    if (seen.has(d.fingerprint)) {
      if (d.redelivered) continue;
      out.push({ ...d, fingerprint: `${d.fingerprint}:${randomUUID()}` });
      continue;
    }
    seen.add(d.fingerprint);
    out.push(d);
  }
  return out;
}

/** n ids of dead_letter_messages taken up front, so a record can be inserted with its latest message's id. */
export async function nextMessageIds(client: pg.Pool | pg.PoolClient | pg.Client, n: number): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    // the BIGSERIAL's sequence named as a constant (resolved once at parse): looking it up with
    // pg_get_serial_sequence() ran per row, ~20 us each
    `SELECT nextval('dead_letter_messages_id_seq'::regclass)::text AS id FROM generate_series(1, $1)`,
    [n],
  );
  return rows.map((r) => r.id);
}

type RecordDeaths = { n: number; latest: PreparedDeath; first: Date; last: Date };

/** Per record: how many deaths the batch brings, when, and the latest one. */
function perRecordOf(deaths: PreparedDeath[]): Map<string, RecordDeaths> {
  const out = new Map<string, RecordDeaths>();
  for (const d of deaths) {
    const agg = out.get(recordKey(d));
    if (!agg) out.set(recordKey(d), { n: 1, latest: d, first: d.failedAt, last: d.failedAt });
    else {
      agg.n++;
      agg.latest = d;
      if (d.failedAt < agg.first) agg.first = d.failedAt;
      if (d.failedAt > agg.last) agg.last = d.failedAt;
    }
  }
  return out;
}

/**
 * `dlq`: the DLQ the batch was drained from (one drainer per DLQ, so one per batch): a new record
 * gets it, a record that dies again takes it (it follows the latest death). One parameter per
 * batch, not per row.
 */
export async function writeBatch(client: pg.PoolClient | pg.Client, input: PreparedDeath[], dlq: string): Promise<BatchResult> {
  const deaths = dedupeBatch(input);

  // Message ids up front, so a new record is inserted complete (latest_message_id included) and
  // never needs a second write in the same transaction. Ids of duplicates are simply not used.
  // Deaths derived from the inbox keep the id the drain gave them there.
  const fromInbox = deaths.length > 0 && deaths.every(isInboxDeath);
  const ids = fromInbox ? deaths.map((d) => d.inbox.id) : await nextMessageIds(client, deaths.length);
  const messageId = new Map<PreparedDeath, string>();
  deaths.forEach((d, i) => messageId.set(d, ids[i]));

  const perRecord = perRecordOf(deaths);

  // 1. One record per (event key, queue): insert the new ones complete, lock the existing ones.
  // (Every message of a record that did not exist yet is new: a stored fingerprint implies its record.)
  const recs = [...perRecord.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
  const upserted = await client.query<RecordRow & { event_key: string; queue: string }>(
    `INSERT INTO dead_letters AS d (event_key, event_key_source, event_id, event_type, version, routing_key, queue,
       reason, exchange, status, attempts, republish_count, first_failed_at, last_failed_at, error_message,
       validation_status, violations, correlation_id, group_id, content_type, body_size, body_sha256,
       latest_message_id, dlq)
     SELECT k, ks, eid, et, v, rk, q, r, ex, 'pending', n, rc, ff, lf, em, vs, vio, cid, gid, ct, bs, sha, mid, $23::text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::int[], $11::int[], $12::timestamptz[], $13::timestamptz[], $14::text[], $15::text[],
                   $16::jsonb[], $17::text[], $18::text[], $19::text[], $20::int[], $21::text[], $22::bigint[])
            AS t(k, ks, eid, et, v, rk, q, r, ex, n, rc, ff, lf, em, vs, vio, cid, gid, ct, bs, sha, mid)
     ON CONFLICT (event_key, queue) DO UPDATE SET updated_at = d.updated_at
     RETURNING id, event_key, queue, (xmax = 0) AS inserted, status, group_id`,
    [
      recs.map((a) => a.latest.eventKey),
      recs.map((a) => a.latest.eventKeySource),
      recs.map((a) => a.latest.eventId),
      recs.map((a) => a.latest.eventType),
      recs.map((a) => a.latest.version),
      recs.map((a) => a.latest.routingKey),
      recs.map((a) => a.latest.queue),
      recs.map((a) => a.latest.reason),
      recs.map((a) => a.latest.exchange),
      recs.map((a) => a.n),
      recs.map((a) => a.latest.republishCount),
      recs.map((a) => a.first),
      recs.map((a) => a.last),
      recs.map((a) => a.latest.errorMessage),
      recs.map((a) => a.latest.validationStatus),
      recs.map((a) => a.latest.violations),
      recs.map((a) => a.latest.correlationId),
      recs.map((a) => a.latest.groupId),
      recs.map((a) => a.latest.contentType),
      recs.map((a) => a.latest.bodySize),
      recs.map((a) => a.latest.bodySha256),
      recs.map((a) => messageId.get(a.latest)),
      dlq,
    ],
  );
  const recordOf = new Map(upserted.rows.map((r) => [`${r.event_key}\u0000${r.queue}`, r]));

  // 2. The raw messages; a fingerprint already stored means a redelivery: nothing to do.
  const insert = fromInbox ? insertInboxMessages : insertMessages;
  const inserted = await insert(client, deaths, recordOf, messageId);
  let fresh = deaths.filter((d) => inserted.has(d.fingerprint));
  // A first delivery (redelivered=false) identical to a stored message is a new publish that
  // died again: store it under a suffixed fingerprint so it counts as a death of its own.
  const copies = deaths.filter((d) => !d.redelivered && !inserted.has(d.fingerprint));
  if (copies.length) {
    // (an inbox death keeps its id: its first insert wrote no row)
    const more = fromInbox ? copies.map((d) => messageId.get(d)!) : await nextMessageIds(client, copies.length);
    const renamed = copies.map((d, i) => {
      const c = { ...d, fingerprint: `${d.fingerprint}:${randomUUID()}` };
      messageId.set(c, more[i]);
      return c;
    });
    const again = await insert(client, renamed, recordOf, messageId);
    fresh = fresh.concat(renamed.filter((d) => again.has(d.fingerprint)));
  }

  // 3. Existing records that got new deaths take the latest one's values.
  const back = perRecordOf(fresh.filter((d) => !recordOf.get(recordKey(d))!.inserted));
  const updates = [...back.entries()].sort((a, b) => byString(a[0], b[0])).map(([k, a]) => ({ rec: recordOf.get(k)!, ...a }));
  if (updates.length) await updateReturnedRecords(client, updates, messageId, dlq);

  if (fresh.length) await writeRollups(client, fresh, recordOf, updates);
  const newRecords = upserted.rows.filter((r) => r.inserted).length;
  return { stored: fresh.length, duplicates: input.length - fresh.length, newRecords };
}

async function updateReturnedRecords(
  client: pg.PoolClient | pg.Client,
  rows: ({ rec: RecordRow } & RecordDeaths)[],
  messageId: Map<PreparedDeath, string>,
  dlq: string,
) {
  await client.query(
    `UPDATE dead_letters d SET
       attempts = d.attempts + t.n,
       first_failed_at = LEAST(d.first_failed_at, t.ff),
       last_failed_at = GREATEST(d.last_failed_at, t.lf),
       status = 'pending',
       -- read before this SET (old values): a record republished before that dies again
       failed_again_after_retry = d.failed_again_after_retry OR d.republish_count > 0 OR d.status = 'republished' OR t.rc > 0,
       latest_message_id = t.mid,
       republish_count = t.rc,
       error_message = t.em,
       validation_status = t.vs,
       violations = t.vio,
       group_id = t.gid,
       event_type = t.et,
       version = t.v,
       routing_key = t.rk,
       reason = t.r,
       exchange = t.ex,
       correlation_id = COALESCE(t.cid, d.correlation_id),
       content_type = t.ct,
       body_size = t.bs,
       body_sha256 = t.sha,
       dlq = $20::text,
       updated_at = now()
     FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::bigint[], $6::int[], $7::text[],
                 $8::text[], $9::jsonb[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                 $16::text[], $17::text[], $18::int[], $19::text[])
          AS t(id, n, ff, lf, mid, rc, em, vs, vio, gid, et, v, rk, r, ex, cid, ct, bs, sha)
     WHERE d.id = t.id`,
    [
      rows.map((r) => r.rec.id),
      rows.map((r) => r.n),
      rows.map((r) => r.first),
      rows.map((r) => r.last),
      rows.map((r) => messageId.get(r.latest)),
      rows.map((r) => r.latest.republishCount),
      rows.map((r) => r.latest.errorMessage),
      rows.map((r) => r.latest.validationStatus),
      rows.map((r) => r.latest.violations),
      rows.map((r) => r.latest.groupId),
      rows.map((r) => r.latest.eventType),
      rows.map((r) => r.latest.version),
      rows.map((r) => r.latest.routingKey),
      rows.map((r) => r.latest.reason),
      rows.map((r) => r.latest.exchange),
      rows.map((r) => r.latest.correlationId),
      rows.map((r) => r.latest.contentType),
      rows.map((r) => r.latest.bodySize),
      rows.map((r) => r.latest.bodySha256),
      dlq,
    ],
  );
}

type RecordRow = { id: string; inserted: boolean; status: string; group_id: string };

async function insertMessages(
  client: pg.PoolClient | pg.Client,
  deaths: PreparedDeath[],
  recordOf: Map<string, RecordRow>,
  messageId: Map<PreparedDeath, string>,
) {
  const sorted = [...deaths].sort((a, b) => byString(a.fingerprint, b.fingerprint));
  const res = await client.query<{ id: string; fingerprint: string }>(
    `INSERT INTO dead_letter_messages (id, dead_letter_id, fingerprint, body, properties, headers, deaths)
     SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bytea[], $5::json[], $6::json[], $7::json[])
     ON CONFLICT (fingerprint) DO NOTHING
     RETURNING id, fingerprint`,
    [
      sorted.map((d) => messageId.get(d)),
      sorted.map((d) => recordOf.get(recordKey(d))!.id),
      sorted.map((d) => d.fingerprint),
      sorted.map((d) => d.body),
      sorted.map((d) => d.properties),
      sorted.map((d) => d.headers),
      sorted.map((d) => JSON.stringify(d.deaths)),
    ],
  );
  return new Map(res.rows.map((r) => [r.fingerprint, r.id]));
}

/**
 * insertMessages for deaths the drain stored in dead_letter_inbox: the bytes are copied there by
 * PostgreSQL (joined on the inbox's key), never sent back and forth through Node.
 */
async function insertInboxMessages(
  client: pg.PoolClient | pg.Client,
  deaths: PreparedDeath[],
  recordOf: Map<string, RecordRow>,
  messageId: Map<PreparedDeath, string>,
) {
  const sorted = ([...deaths] as InboxDeath[]).sort((a, b) => byString(a.fingerprint, b.fingerprint));
  const res = await client.query<{ id: string; fingerprint: string }>(
    `INSERT INTO dead_letter_messages (id, dead_letter_id, fingerprint, body, properties, headers, deaths, received_at)
     SELECT t.mid, t.rid, t.fp, i.body, i.properties, i.headers, t.deaths, i.received_at
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::json[], $5::xid8[], $6::bigint[]) AS t(mid, rid, fp, deaths, tx, iid)
       JOIN dead_letter_inbox i ON i.tx = t.tx AND i.id = t.iid
     ON CONFLICT (fingerprint) DO NOTHING
     RETURNING id, fingerprint`,
    [
      sorted.map((d) => messageId.get(d)),
      sorted.map((d) => recordOf.get(recordKey(d))!.id),
      sorted.map((d) => d.fingerprint),
      sorted.map((d) => JSON.stringify(d.deaths)),
      sorted.map((d) => d.inbox.tx),
      sorted.map((d) => d.inbox.id),
    ],
  );
  return new Map(res.rows.map((r) => [r.fingerprint, r.id]));
}

/**
 * History, failure groups (count, pending_count, hourly buckets), per-minute stats and the search
 * backlog in ONE
 * statement (data-modifying CTEs), keys sorted so concurrent drainers lock group rows in order.
 * pending_count: a record is pending in its latest group now; a record that was pending in
 * another group leaves that group's pending count.
 */
async function writeRollups(
  client: pg.PoolClient | pg.Client,
  fresh: PreparedDeath[],
  recordOf: Map<string, RecordRow>,
  updates: { rec: RecordRow; latest: PreparedDeath }[],
) {
  // history: 'dead-lettered' for the first death of a new record, else 'failed-again'
  const firstSeen = new Set<string>();
  const history = fresh.map((d) => {
    const rec = recordOf.get(recordKey(d))!;
    const first = rec.inserted && !firstSeen.has(rec.id);
    firstSeen.add(rec.id);
    return {
      id: rec.id,
      action: first ? 'dead-lettered' : 'failed-again',
      details: JSON.stringify({ queue: d.queue, reason: d.reason, count: d.deathCount, failedAt: d.failedAt.toISOString(), republishCount: d.republishCount }),
    };
  });

  type G = { key: PreparedDeath['group']; count: number; pending: number; first: Date; last: Date; hours: Map<number, number> };
  const groups = new Map<string, G>();
  const touch = (d: PreparedDeath) => {
    let g = groups.get(d.groupId);
    if (!g) groups.set(d.groupId, (g = { key: d.group, count: 0, pending: 0, first: d.failedAt, last: d.failedAt, hours: new Map() }));
    return g;
  };
  for (const d of fresh) {
    const g = touch(d);
    g.count++;
    if (d.failedAt < g.first) g.first = d.failedAt;
    if (d.failedAt > g.last) g.last = d.failedAt;
    const h = hourOf(d.failedAt).getTime();
    g.hours.set(h, (g.hours.get(h) ?? 0) + 1);
  }
  // new records: +1 pending in the group of their latest death
  const latestOfNew = new Map<string, PreparedDeath>();
  for (const d of fresh) if (recordOf.get(recordKey(d))!.inserted) latestOfNew.set(recordKey(d), d);
  for (const d of latestOfNew.values()) touch(d).pending++;
  const decrements = new Map<string, number>();
  for (const { rec, latest } of updates) {
    if (rec.status === 'pending' && rec.group_id === latest.groupId) continue;
    touch(latest).pending++;
    if (rec.status === 'pending') decrements.set(rec.group_id, (decrements.get(rec.group_id) ?? 0) + 1);
  }
  const gs = [...groups.entries()].sort((a, b) => byString(a[0], b[0]));
  const ds = [...decrements.entries()].sort((a, b) => byString(a[0], b[0]));
  const hours = gs.flatMap(([id, g]) => [...g.hours.entries()].sort((a, b) => a[0] - b[0]).map(([h, n]) => ({ id, h: new Date(h), n })));

  const stats = new Map<string, { minute: Date; type: string; n: number }>();
  for (const d of fresh) {
    const minute = minuteOf(d.failedAt);
    const type = d.eventType || UNKNOWN_TYPE;
    const k = `${minute.getTime()}\u0000${type}`;
    const s = stats.get(k);
    if (s) s.n++;
    else stats.set(k, { minute, type, n: 1 });
  }
  const minutes = [...stats.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime() || byString(a.type, b.type));

  // Failed events (the error rate's numerator): each event once, at the earliest death of its
  // records new in this batch; the statement counts it only when no earlier record of the same
  // event exists (in another queue, or a batch before). Unreadable messages are not events.
  const newEvents = new Map<string, { minute: Date; type: string; at: Date }>();
  const insertedIds = new Set<string>();
  for (const d of fresh) {
    const rec = recordOf.get(recordKey(d))!;
    if (!rec.inserted) continue;
    insertedIds.add(rec.id);
    if (d.eventKey.startsWith('unreadable:')) continue;
    const e = newEvents.get(d.eventKey);
    if (!e || d.failedAt < e.at) newEvents.set(d.eventKey, { minute: minuteOf(d.failedAt), type: d.eventType || UNKNOWN_TYPE, at: d.failedAt });
  }
  const eventKeys = [...newEvents.keys()].sort(byString);

  // Full-text search: each record that got a death is (re)indexed from its latest death's text,
  // by the search indexer after this commit (lib/bus/search-indexer.ts).
  const searchable = [...perRecordOf(fresh).entries()]
    .sort((a, b) => byString(a[0], b[0]))
    .map(([k, a]) => {
      // an inbox death's text stays in PostgreSQL: copied from its inbox row by the statement
      const inbox = isInboxDeath(a.latest) ? a.latest.inbox : null;
      return { id: recordOf.get(k)!.id, text: inbox ? null : searchTextOf(a.latest), tx: inbox?.tx ?? null, iid: inbox?.id ?? null };
    });

  // incidents (issue 16): reopen resolved groups, end passed snoozes, note the groups created
  const lifecycle = await beginGroupLifecycle(
    client,
    gs.map(([id]) => id),
  );
  await client.query(
    `WITH history AS (
       INSERT INTO dead_letter_history (dead_letter_id, action, actor, details)
       SELECT id, action, 'drain', details FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS t(id, action, details)
     ), groups AS (
       INSERT INTO failure_groups AS g (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
       SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::timestamptz[], $12::timestamptz[])
       ON CONFLICT (id) DO UPDATE SET
         count = g.count + EXCLUDED.count,
         pending_count = g.pending_count + EXCLUDED.pending_count,
         first_seen_at = LEAST(g.first_seen_at, EXCLUDED.first_seen_at),
         last_seen_at = GREATEST(g.last_seen_at, EXCLUDED.last_seen_at)
     ), hours AS (
       INSERT INTO failure_group_hours AS h (group_id, hour, count)
       SELECT * FROM unnest($13::text[], $14::timestamptz[], $15::int[])
       ON CONFLICT (group_id, hour) DO UPDATE SET count = h.count + EXCLUDED.count
     ), search AS (
       INSERT INTO search_backlog (dead_letter_id, search_text)
       -- an inbox row without search text: its body is the text (PreparedDeath.searchText)
       SELECT t.id, COALESCE(t.text, i.search_text, concat_ws(' ', convert_from(i.body, 'UTF8'), i.prepared->>'errorMessage'))
         FROM unnest($19::uuid[], $20::text[], $25::xid8[], $26::bigint[]) AS t(id, text, tx, iid)
         LEFT JOIN dead_letter_inbox i ON i.tx = t.tx AND i.id = t.iid
     )
     INSERT INTO event_minute_stats AS s (minute, event_type, dead_lettered, failed_events)
     SELECT m, t, sum(dead), sum(failed) FROM (
       SELECT m, t, n AS dead, 0 AS failed FROM unnest($16::timestamptz[], $17::text[], $18::bigint[]) AS u(m, t, n)
       UNION ALL
       SELECT m, t, 0, 1 FROM unnest($21::text[], $22::timestamptz[], $23::text[]) AS c(k, m, t)
       WHERE NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.event_key = c.k AND d.id <> ALL($24::uuid[]))
     ) x GROUP BY m, t ORDER BY m, t
     ON CONFLICT (minute, event_type) DO UPDATE SET dead_lettered = s.dead_lettered + EXCLUDED.dead_lettered,
       failed_events = s.failed_events + EXCLUDED.failed_events`,
    [
      history.map((r) => r.id),
      history.map((r) => r.action),
      history.map((r) => r.details),
      gs.map(([id]) => id),
      gs.map(([, g]) => g.key.eventType),
      gs.map(([, g]) => g.key.queue),
      gs.map(([, g]) => g.key.reason),
      gs.map(([, g]) => g.key.signature),
      gs.map(([, g]) => g.count),
      gs.map(([, g]) => g.pending),
      gs.map(([, g]) => g.first),
      gs.map(([, g]) => g.last),
      hours.map((r) => r.id),
      hours.map((r) => r.h),
      hours.map((r) => r.n),
      minutes.map((r) => r.minute),
      minutes.map((r) => r.type),
      minutes.map((r) => r.n),
      searchable.map((r) => r.id),
      searchable.map((r) => r.text),
      eventKeys,
      eventKeys.map((k) => newEvents.get(k)!.minute),
      eventKeys.map((k) => newEvents.get(k)!.type),
      uuidArray([...insertedIds]),
      searchable.map((r) => r.tx),
      searchable.map((r) => r.iid),
    ],
  );
  await finishGroupLifecycle(client, lifecycle);
  // Separate statement: one statement must not modify the same group row twice.
  if (ds.length) {
    await client.query(
      `UPDATE failure_groups g SET pending_count = GREATEST(0, g.pending_count - t.n)
       FROM unnest($1::text[], $2::int[]) AS t(id, n) WHERE g.id = t.id`,
      [ds.map((d) => d[0]), ds.map((d) => d[1])],
    );
  }
}

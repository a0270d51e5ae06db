// Writes one batch of prepared deaths in ONE transaction with one statement per table (unnest of
// parameter arrays), so a batch of 2,000 costs about ten round trips. Exactly-once comes from the
// unique fingerprint: a redelivered message whose row is already committed inserts nothing and
// changes nothing. Rows are sorted by key in every statement, so concurrent drainers lock rows in
// the same order (no deadlocks between them; a deadlock anyway is retried by the caller).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PreparedDeath } from './prepare-dead-letter';

export interface BatchResult {
  /** deaths stored (new messages) */
  stored: number;
  /** deliveries that were already stored (redeliveries) */
  duplicates: number;
  newRecords: number;
}

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

export async function writeBatch(client: pg.PoolClient | pg.Client, input: PreparedDeath[]): Promise<BatchResult> {
  const deaths = dedupeBatch(input);
  const duplicatesInBatch = input.length - deaths.length;

  // 1. One record per (event key, queue): insert the new ones, lock the existing ones.
  const records = new Map<string, PreparedDeath>();
  for (const d of deaths) if (!records.has(recordKey(d))) records.set(recordKey(d), d);
  const recs = [...records.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
  const upserted = await client.query<{ id: string; event_key: string; queue: string; inserted: boolean; status: string; group_id: string }>(
    `INSERT INTO dead_letters AS d (event_key, event_key_source, event_id, event_type, version, routing_key, queue,
       reason, exchange, status, attempts, republish_count, first_failed_at, last_failed_at, error_message,
       validation_status, violations, correlation_id, group_id, content_type, body_size, body_sha256, search_text)
     SELECT k, ks, eid, et, v, rk, q, r, ex, 'pending', 0, rc, fa, fa, em, vs, vio, cid, gid, ct, bs, sha, st
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::int[], $11::timestamptz[], $12::text[], $13::text[], $14::jsonb[], $15::text[],
                   $16::text[], $17::text[], $18::int[], $19::text[], $20::text[])
            AS t(k, ks, eid, et, v, rk, q, r, ex, rc, fa, em, vs, vio, cid, gid, ct, bs, sha, st)
     ON CONFLICT (event_key, queue) DO UPDATE SET updated_at = d.updated_at
     RETURNING id, event_key, queue, (xmax = 0) AS inserted, status, group_id`,
    [
      recs.map((d) => d.eventKey),
      recs.map((d) => d.eventKeySource),
      recs.map((d) => d.eventId),
      recs.map((d) => d.eventType),
      recs.map((d) => d.version),
      recs.map((d) => d.routingKey),
      recs.map((d) => d.queue),
      recs.map((d) => d.reason),
      recs.map((d) => d.exchange),
      recs.map((d) => d.republishCount),
      recs.map((d) => d.failedAt),
      recs.map((d) => d.errorMessage),
      recs.map((d) => d.validationStatus),
      recs.map((d) => d.violations),
      recs.map((d) => d.correlationId),
      recs.map((d) => d.groupId),
      recs.map((d) => d.contentType),
      recs.map((d) => d.bodySize),
      recs.map((d) => d.bodySha256),
      recs.map((d) => d.searchText),
    ],
  );
  const recordOf = new Map(upserted.rows.map((r) => [`${r.event_key}\u0000${r.queue}`, r]));

  // 2. The raw messages; a fingerprint already stored means a redelivery: nothing to do.
  const inserted = await insertMessages(client, deaths, recordOf);
  let fresh = deaths.filter((d) => inserted.has(d.fingerprint));
  // A first delivery (redelivered=false) identical to a stored message is a new publish that
  // died again: store it under a suffixed fingerprint so it counts as a death of its own.
  const republishedCopies = deaths
    .filter((d) => !d.redelivered && !inserted.has(d.fingerprint))
    .map((d) => ({ ...d, fingerprint: `${d.fingerprint}:${randomUUID()}` }));
  if (republishedCopies.length) {
    const again = await insertMessages(client, republishedCopies, recordOf);
    fresh = fresh.concat(republishedCopies.filter((d) => again.has(d.fingerprint)));
    for (const [k, v] of again) inserted.set(k, v);
  }

  // 3. Update each record that got new deaths with its latest one.
  const perRecord = new Map<string, { n: number; latest: PreparedDeath; first: Date; last: Date }>();
  for (const d of fresh) {
    const k = recordKey(d);
    const agg = perRecord.get(k);
    if (!agg) perRecord.set(k, { n: 1, latest: d, first: d.failedAt, last: d.failedAt });
    else {
      agg.n++;
      agg.latest = d;
      if (d.failedAt < agg.first) agg.first = d.failedAt;
      if (d.failedAt > agg.last) agg.last = d.failedAt;
    }
  }
  const updates = [...perRecord.entries()].sort((a, b) => byString(a[0], b[0]));
  if (updates.length) {
    const rows = updates.map(([k, a]) => ({ rec: recordOf.get(k)!, ...a }));
    await client.query(
      `UPDATE dead_letters d SET
         attempts = d.attempts + t.n,
         first_failed_at = CASE WHEN d.attempts = 0 THEN t.ff ELSE LEAST(d.first_failed_at, t.ff) END,
         last_failed_at = GREATEST(d.last_failed_at, t.lf),
         status = 'pending',
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
         search_text = t.st,
         updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::bigint[], $6::int[], $7::text[],
                   $8::text[], $9::jsonb[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                   $16::text[], $17::text[], $18::int[], $19::text[], $20::text[])
            AS t(id, n, ff, lf, mid, rc, em, vs, vio, gid, et, v, rk, r, ex, cid, ct, bs, sha, st)
       WHERE d.id = t.id`,
      [
        rows.map((r) => r.rec.id),
        rows.map((r) => r.n),
        rows.map((r) => r.first),
        rows.map((r) => r.last),
        rows.map((r) => inserted.get(r.latest.fingerprint)),
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
        rows.map((r) => r.latest.searchText),
      ],
    );
  }
  // Defensive: a record inserted in step 1 whose every message turned out to be stored already
  // (only possible if a message outlived its record) must not stay behind with zero attempts.
  const empty = upserted.rows.filter((r) => r.inserted && !perRecord.has(`${r.event_key}\u0000${r.queue}`)).map((r) => r.id);
  if (empty.length) await client.query('DELETE FROM dead_letters WHERE id = ANY($1::uuid[]) AND attempts = 0', [empty]);

  if (fresh.length) {
    await insertHistory(client, fresh, recordOf);
    await updateGroups(client, fresh, updates.map(([k, a]) => ({ rec: recordOf.get(k)!, latest: a.latest })));
    await updateMinuteStats(client, fresh);
  }
  const newRecords = upserted.rows.filter((r) => r.inserted && perRecord.has(`${r.event_key}\u0000${r.queue}`)).length;
  return { stored: fresh.length, duplicates: duplicatesInBatch + (deaths.length - fresh.length - 0), newRecords };
}

type RecordRow = { id: string; inserted: boolean; status: string; group_id: string };

async function insertMessages(client: pg.PoolClient | pg.Client, deaths: PreparedDeath[], recordOf: Map<string, RecordRow>) {
  const sorted = [...deaths].sort((a, b) => byString(a.fingerprint, b.fingerprint));
  const res = await client.query<{ id: string; fingerprint: string }>(
    `INSERT INTO dead_letter_messages (dead_letter_id, fingerprint, body, properties, headers, deaths)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::jsonb[], $5::jsonb[], $6::jsonb[])
     ON CONFLICT (fingerprint) DO NOTHING
     RETURNING id, fingerprint`,
    [
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

async function insertHistory(client: pg.PoolClient | pg.Client, fresh: PreparedDeath[], recordOf: Map<string, RecordRow>) {
  const firstSeen = new Set<string>();
  const rows = fresh.map((d) => {
    const rec = recordOf.get(recordKey(d))!;
    const first = rec.inserted && !firstSeen.has(rec.id);
    firstSeen.add(rec.id);
    return {
      id: rec.id,
      action: first ? 'dead-lettered' : 'failed-again',
      details: JSON.stringify({
        queue: d.queue,
        reason: d.reason,
        count: d.deathCount,
        failedAt: d.failedAt.toISOString(),
        errorMessage: d.errorMessage,
        republishCount: d.republishCount,
        fingerprint: d.fingerprint,
      }),
    };
  });
  await client.query(
    `INSERT INTO dead_letter_history (dead_letter_id, action, actor, details)
     SELECT id, action, 'drain', details FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS t(id, action, details)`,
    [rows.map((r) => r.id), rows.map((r) => r.action), rows.map((r) => r.details)],
  );
}

async function updateGroups(
  client: pg.PoolClient | pg.Client,
  fresh: PreparedDeath[],
  updated: { rec: RecordRow; latest: PreparedDeath }[],
) {
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
  // pending_count: the record is pending in its latest group now; it leaves its old group's
  // pending count if it was pending there.
  const decrements = new Map<string, number>();
  for (const { rec, latest } of updated) {
    const wasPendingHere = !rec.inserted && rec.status === 'pending' && rec.group_id === latest.groupId;
    if (!wasPendingHere) touch(latest).pending++;
    if (!rec.inserted && rec.status === 'pending' && rec.group_id !== latest.groupId) {
      decrements.set(rec.group_id, (decrements.get(rec.group_id) ?? 0) + 1);
    }
  }
  const gs = [...groups.entries()].sort((a, b) => byString(a[0], b[0]));
  await client.query(
    `INSERT INTO failure_groups AS g (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::timestamptz[], $9::timestamptz[])
     ON CONFLICT (id) DO UPDATE SET
       count = g.count + EXCLUDED.count,
       pending_count = g.pending_count + EXCLUDED.pending_count,
       first_seen_at = LEAST(g.first_seen_at, EXCLUDED.first_seen_at),
       last_seen_at = GREATEST(g.last_seen_at, EXCLUDED.last_seen_at)`,
    [
      gs.map(([id]) => id),
      gs.map(([, g]) => g.key.eventType),
      gs.map(([, g]) => g.key.queue),
      gs.map(([, g]) => g.key.reason),
      gs.map(([, g]) => g.key.signature),
      gs.map(([, g]) => g.count),
      gs.map(([, g]) => g.pending),
      gs.map(([, g]) => g.first),
      gs.map(([, g]) => g.last),
    ],
  );
  if (decrements.size) {
    const ds = [...decrements.entries()].sort((a, b) => byString(a[0], b[0]));
    await client.query(
      `UPDATE failure_groups g SET pending_count = GREATEST(0, g.pending_count - t.n)
       FROM unnest($1::text[], $2::int[]) AS t(id, n) WHERE g.id = t.id`,
      [ds.map((d) => d[0]), ds.map((d) => d[1])],
    );
  }
  const hours = gs.flatMap(([id, g]) => [...g.hours.entries()].sort((a, b) => a[0] - b[0]).map(([h, n]) => ({ id, h: new Date(h), n })));
  await client.query(
    `INSERT INTO failure_group_hours AS h (group_id, hour, count)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
     ON CONFLICT (group_id, hour) DO UPDATE SET count = h.count + EXCLUDED.count`,
    [hours.map((r) => r.id), hours.map((r) => r.h), hours.map((r) => r.n)],
  );
}

async function updateMinuteStats(client: pg.PoolClient | pg.Client, fresh: PreparedDeath[]) {
  const stats = new Map<string, { minute: Date; type: string; n: number }>();
  for (const d of fresh) {
    const minute = minuteOf(d.failedAt);
    const type = d.eventType || '(unknown)';
    const k = `${minute.getTime()}\u0000${type}`;
    const s = stats.get(k);
    if (s) s.n++;
    else stats.set(k, { minute, type, n: 1 });
  }
  const rows = [...stats.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime() || byString(a.type, b.type));
  await client.query(
    `INSERT INTO event_minute_stats AS s (minute, event_type, dead_lettered)
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[])
     ON CONFLICT (minute, event_type) DO UPDATE SET dead_lettered = s.dead_lettered + EXCLUDED.dead_lettered`,
    [rows.map((r) => r.minute), rows.map((r) => r.type), rows.map((r) => r.n)],
  );
}

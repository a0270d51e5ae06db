// The drain's whole write (issue 20: store first, derive after): the raw deliveries into
// dead_letter_inbox, which is all a dead letter needs to be durable and exactly-once (the drain
// reads nothing of a message but its fingerprint: lib/bus/inbox-row.ts). The usual
// batch is ONE statement, a binary COPY (atomic on its own: no BEGIN/COMMIT round trips); a batch
// holding a fingerprint the inbox already has (a redelivery) makes the COPY fail with 23505 and is
// written instead with one multi-row INSERT ... ON CONFLICT DO NOTHING in a transaction. The record, its group, counts, history and search text are derived from these rows
// after the COMMIT (lib/bus/derive-dead-letters.ts).
// Exactly-once: the unique fingerprint makes a redelivery whose row is already in the inbox insert
// nothing. (One already derived out of the inbox is caught by dead_letter_messages' own unique
// fingerprint when it is derived.) A first delivery (redelivered=false) identical to a stored one
// is a new publish that died again: it is stored under a suffixed fingerprint, as a death of its own.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { encodeCopyPieces } from './copy-binary';
import { inboxValues, storedAsRedelivery, type InboxDeath } from './inbox-row';
import type { InboxKey } from './derive-records';

export interface BatchResult {
  /** deaths stored (new messages) */
  stored: number;
  /** deliveries that were already stored (redeliveries) */
  duplicates: number;
  newRecords: number;
}

/** One copy per fingerprint; identical first deliveries (redelivered=false) are separate deaths. */
export function dedupeBatch<T extends InboxDeath>(deaths: T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
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

const byFingerprint = (a: InboxDeath, b: InboxDeath) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0);

/** Inserts into the inbox what it does not hold yet; returns the rows inserted (keys by fingerprint). */
export async function insertRaw(client: pg.PoolClient | pg.Client, deaths: InboxDeath[], dlq: string): Promise<Map<string, InboxKey>> {
  // sorted: concurrent drainers inserting the same fingerprints take their index locks in one order
  const sorted = [...deaths].sort(byFingerprint);
  const values = sorted.map(inboxValues);
  const res = await client.query<{ fingerprint: string } & InboxKey>(
    `INSERT INTO dead_letter_inbox (fingerprint, dlq, body, properties, headers, prepared, failed_at, search_text)
     SELECT f, $6::text, b, p, h, x, a, s
       FROM unnest($1::text[], $2::bytea[], $3::json[], $4::json[], $5::text[], $7::timestamptz[], $8::text[]) AS t(f, b, p, h, x, a, s)
     ON CONFLICT (fingerprint) DO NOTHING
     RETURNING fingerprint, tx::text AS tx, id::text AS id`,
    [
      sorted.map((d) => d.fingerprint),
      sorted.map((d) => d.body),
      sorted.map((d) => d.properties),
      sorted.map((d) => d.headers),
      values.map((v) => v[0]),
      dlq,
      values.map((v) => v[1]),
      values.map((v) => v[2]),
    ],
  );
  return new Map(res.rows.map((r) => [r.fingerprint, { tx: r.tx, id: r.id }]));
}

async function copyRaw(client: pg.PoolClient | pg.Client, deaths: InboxDeath[], dlq: string): Promise<void> {
  // in delivery order: the ids the rows get are the derivation's arrival order (which death of a
  // record is its latest). A concurrent COPY of the same fingerprints (redeliveries to two
  // drainers) may deadlock on the unique index instead: 40P01, retried like any transient failure.
  // big bodies by reference: never copied into the payload
  const payload = encodeCopyPieces(deaths.map((d) => [d.fingerprint, dlq, d.body, d.properties, d.headers, ...inboxValues(d)]));
  const stream = client.query(
    copyFrom('COPY dead_letter_inbox (fingerprint, dlq, body, properties, headers, prepared, failed_at, search_text) FROM STDIN (FORMAT binary)'),
  );
  await pipeline(Readable.from(payload), stream);
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === '23505';

/**
 * Stores a batch of deliveries in the inbox (`dlq`: the DLQ they were drained from), committed
 * when it returns. Call it outside a transaction: it makes its own where it needs one.
 */
export async function writeRaw(client: pg.PoolClient | pg.Client, input: InboxDeath[], dlq: string): Promise<BatchResult> {
  const deaths = dedupeBatch(input);
  if (!deaths.length) return { stored: 0, duplicates: input.length, newRecords: 0 };
  try {
    await copyRaw(client, deaths, dlq);
    return { stored: deaths.length, duplicates: input.length - deaths.length, newRecords: 0 };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  await client.query('BEGIN');
  const inserted = await insertRaw(client, deaths, dlq);
  let stored = inserted.size;
  // a first delivery whose fingerprint is stored already is an identical new death, unless its
  // channel died before this write and its redelivered copy came in meanwhile: that copy, stored
  // by a batch that committed first, is this very message (storing it again counted it twice)
  const copies = deaths.filter((d) => !storedAsRedelivery(d) && !inserted.has(d.fingerprint));
  if (copies.length) {
    const renamed = copies.map((d) => ({ ...d, fingerprint: `${d.fingerprint}:${randomUUID()}` }));
    stored += (await insertRaw(client, renamed, dlq)).size;
  }
  await client.query('COMMIT');
  return { stored, duplicates: input.length - stored, newRecords: 0 };
}

// The derivation's reading of the messages the drain stored raw (issue 20: store first, derive
// after). The drain reads nothing of a message but its fingerprint, so its event loop is kept for
// the broker; what the record needs (contract and ids, x-death, error headers, group, search text:
// prepareDeadLetter) is read here, from the row's bytes, properties and headers, in Node, and
// handed to the derivation's statements with the batch (loadBatch): never written back to the inbox.
// The deriver reads the next batch while PostgreSQL derives the current one (lib/bus/deriver.ts),
// so on 2 cores the reading and the SQL take one each. Memory is bounded by bytes: a batch stops
// at READ_BYTES of stored messages (at least one row), fetched FETCH_BYTES at a time, and the
// event loop gets a turn every 10 ms (lib/event-loop-pause.ts: the drain shares it).
import { pauser } from '@/lib/event-loop-pause';
import { ENVELOPE_PREFIX_BYTES } from '@/lib/events/validate';
import { errorText, MAX_READ_BODY_BYTES, prepareDeadLetter, unreadableDeath, type PreparedDeath } from './prepare-dead-letter';
import { encodeCopyRow } from './copy-binary';
import { RAW_PREPARED_START, storedMessage, type RawPrepared } from './inbox-row';
import { batchRow, nextDerivable, type InboxKey } from './derive-records';
import type { Queryable } from './with-client';

/** Most bytes of stored messages (bodies and headers) one batch reads into memory. */
export const READ_BYTES = 32 * 1024 * 1024;
/** Most bytes one query fetches. */
const FETCH_BYTES = 2 * 1024 * 1024;

/** A raw row's reading: what loadBatch takes in place of the row's own columns. */
export interface Reading {
  key: InboxKey;
  /** its place in the batch (1-based, arrival order) */
  seq: number;
  /** its derive_batch row (batchRow), encoded for the COPY: compact while the batch waits */
  row: Buffer;
  /** set when the message cannot be read: the derivation sets the row aside (recorded unreadable) */
  unreadable: string | null;
}

/** The next batch after a watermark: its keys in order, and the readings of its raw rows. */
export interface InboxBatch {
  /** the watermark it follows: valid only while the watermark is still there */
  from: InboxKey;
  keys: InboxKey[];
  readings: Reading[];
}

interface KeyRow {
  tx: string;
  id: string;
  raw: boolean;
  size: number;
  /** its place in the batch (1-based) */
  seq?: number;
}

/**
 * A body over MAX_READ_BODY_BYTES is read only for its envelope (validateBody's limit): its first
 * ENVELOPE_PREFIX_BYTES are fetched, with its size, and its sha256 is the drain's (in "prepared";
 * a row without one is read whole). Fetching 100 MB held the event loop ~350 ms (bytea's text).
 */
const READ_IN_PART = `octet_length(x.body) > ${MAX_READ_BODY_BYTES} AND x.prepared LIKE '%"bodySha256":"%'`;

/** What reading a row holds: its body (or the part of it read) and its headers. */
const KEY_COLUMNS = `x.tx::text AS tx, x.id::text AS id, left(x.prepared, ${RAW_PREPARED_START.length}) = '${RAW_PREPARED_START}' AS raw,
  CASE WHEN ${READ_IN_PART} THEN ${ENVELOPE_PREFIX_BYTES} ELSE octet_length(x.body) END + octet_length(x.headers::text) AS size`;

/** The next `limit` derivable rows after `from`, fewer when their messages pass `maxBytes` (at least one). */
async function nextRows(db: Queryable, from: InboxKey, limit: number, maxBytes: number): Promise<KeyRow[]> {
  const { rows } = await db.query<KeyRow>(nextDerivable(KEY_COLUMNS), [from.tx, from.id, limit]);
  let bytes = 0;
  let n = 0;
  for (const r of rows) {
    if (r.raw) {
      if (n > 0 && bytes + r.size > maxBytes) break;
      bytes += r.size;
    }
    n++;
  }
  return rows.slice(0, n).map((r, i) => ({ ...r, seq: i + 1 }));
}

/** The keys of the batch readNext would read (a batch to split after it was refused): the same byte bound. */
export async function nextBatchKeys(db: Queryable, from: InboxKey, limit: number, maxBytes = READ_BYTES): Promise<InboxKey[]> {
  return (await nextRows(db, from, limit, maxBytes)).map(({ tx, id }) => ({ tx, id }));
}

/**
 * Reads the next `limit` derivable rows after `from` (fewer when their messages pass `maxBytes`).
 * `beforeReading` is told their keys before any of their messages is read (the derivation
 * announces its batch then: lib/bus/derivation-attempts.ts).
 */
export async function readNext(
  db: Queryable,
  from: InboxKey,
  limit: number,
  maxBytes = READ_BYTES,
  beforeReading?: (keys: InboxKey[]) => Promise<void>,
): Promise<InboxBatch> {
  const taken = await nextRows(db, from, limit, maxBytes);
  const keys = taken.map(({ tx, id }) => ({ tx, id }));
  await beforeReading?.(keys);
  return { from, keys, readings: await readRaw(db, taken) };
}

/** The readings of the raw rows among exactly these keys (in arrival order: seq is the place in it). */
export async function readKeys(db: Queryable, keys: InboxKey[]): Promise<Reading[]> {
  const { rows } = await db.query<KeyRow>(
    `SELECT ${KEY_COLUMNS}, k.seq::int AS seq FROM unnest($1::xid8[], $2::bigint[]) WITH ORDINALITY AS k(tx, id, seq)
       JOIN dead_letter_inbox x ON x.tx = k.tx AND x.id = k.id ORDER BY k.seq`,
    [keys.map((k) => k.tx), keys.map((k) => k.id)],
  );
  return readRaw(db, rows);
}

export interface StoredRow {
  tx: string;
  id: string;
  fingerprint: string;
  dlq: string;
  /** the message's bytes, or only their beginning when body_size says more (BODY_READ) */
  body: Buffer;
  body_size?: number;
  /** JSON text */
  properties: string;
  /** JSON text */
  headers: string;
  prepared: string;
  received_at: Date;
}

const BODY_READ = `CASE WHEN ${READ_IN_PART} THEN substring(x.body FROM 1 FOR ${ENVELOPE_PREFIX_BYTES}) ELSE x.body END AS body,
  octet_length(x.body) AS body_size`;

const STORED_COLUMNS = `x.tx::text AS tx, x.id::text AS id, x.fingerprint, x.dlq, ${BODY_READ}, x.properties::text AS properties,
  x.headers::text AS headers, x.prepared, x.received_at`;

async function readRaw(db: Queryable, rows: KeyRow[]): Promise<Reading[]> {
  const raw = rows.filter((r) => r.raw);
  const pause = pauser();
  const seqOf = new Map(raw.map((r) => [`${r.tx}/${r.id}`, r.seq ?? 0]));
  const out: Reading[] = [];
  for (let i = 0; i < raw.length;) {
    let j = i;
    let bytes = 0;
    while (j < raw.length && (j === i || bytes + raw[j].size <= FETCH_BYTES)) bytes += raw[j++].size;
    const part = raw.slice(i, j);
    i = j;
    const { rows: stored } = await db.query<StoredRow>(
      `SELECT ${STORED_COLUMNS} FROM unnest($1::xid8[], $2::bigint[]) AS k(tx, id) JOIN dead_letter_inbox x ON x.tx = k.tx AND x.id = k.id`,
      [part.map((k) => k.tx), part.map((k) => k.id)],
    );
    for (const row of stored) {
      out.push(reading(row, seqOf.get(`${row.tx}/${row.id}`) ?? 0));
      await pause();
    }
  }
  return out;
}

/** A raw row's reading; never throws: a row whose values cannot be encoded is marked unreadable. */
function reading(row: StoredRow, seq: number): Reading {
  const key = { tx: row.tx, id: row.id };
  try {
    const death = readRow(row);
    const values = batchRow({ ...key, fingerprint: row.fingerprint, dlq: row.dlq, receivedAt: new Date(row.received_at) }, death);
    return { key, seq, row: encodeCopyRow([seq, ...values]), unreadable: death.unreadable };
  } catch (err) {
    return { key, seq, row: Buffer.alloc(0), unreadable: `cannot read the stored message: ${errorText(err)}` };
  }
}

/** Whether a row's "prepared" is a raw row's (the drain's: its delivery fields only). */
export const isRawPrepared = (prepared: string) => prepared.startsWith(RAW_PREPARED_START);

/** A stored JSON text as a value; {} when it does not parse. */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
};

/**
 * Reads a raw row's message as the drain once did (prepareDeadLetter). Never throws: stored values
 * that cannot be decoded (tagged JSON the drain's encoder never writes) give an unreadable death,
 * which the derivation sets aside with the row's bytes.
 */
export function readRow(row: StoredRow): PreparedDeath {
  const fields = parseJson(row.prepared) as Partial<RawPrepared>;
  const redelivered = fields.redelivered === true;
  const routingKey = typeof fields.routingKey === 'string' ? fields.routingKey : null;
  const receivedAt = new Date(row.received_at);
  const { message: msg, undecodable } = storedMessage(row.body, parseJson(row.properties), parseJson(row.headers), { redelivered, routingKey }, true);
  if (undecodable) return unreadableDeath(msg, receivedAt, undecodable);
  // the drain's canonical JSON and hashes are the row's: not computed again
  const size = row.body_size ?? row.body.length;
  if (size !== row.body.length && typeof fields.bodySha256 !== 'string')
    return unreadableDeath(msg, receivedAt, 'a body read in part without the sha256 of the whole');
  const stored =
    typeof fields.bodySha256 === 'string'
      ? { fingerprint: row.fingerprint, bodySha256: fields.bodySha256, properties: row.properties, headers: row.headers, bodySize: size }
      : undefined;
  return prepareDeadLetter(msg, receivedAt, stored);
}

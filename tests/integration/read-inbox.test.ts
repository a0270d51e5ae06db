// The derivation's reading of raw inbox rows (lib/bus/read-inbox.ts) against real PostgreSQL: a
// row it cannot read (a header the test hook refuses, stored values that cannot be decoded) is set
// aside (recorded unreadable, its bytes kept) while the rows around it are derived; a batch read ahead is used only while it still follows the watermark (another
// process may have derived meanwhile); a batch stops at its byte bound, one row at least.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanInbox, DERIVATION, deriveBatch } from '@/lib/bus/derive-dead-letters';
import { rawDeadLetter, type RawDeath } from '@/lib/bus/prepare-dead-letter';
import { readNext } from '@/lib/bus/read-inbox';
import { writeRaw } from '@/lib/bus/write-raw';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { asDelivery, makeDeadLetter } from './drain-fixtures';
import { testLogger, UNREADABLE_TEST_HEADER } from './drain-helpers';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('readinbox');
});

afterAll(async () => {
  await db?.drop();
});

const raw = (i: number, eventId = randomUUID()): RawDeath => rawDeadLetter(asDelivery(makeDeadLetter(i, { eventId }), i + 1));

async function store(deaths: RawDeath[]): Promise<void> {
  const client = await db.pool.connect();
  try {
    await writeRaw(client, deaths, 'edu.events.dlq');
  } finally {
    client.release();
  }
}

const watermark = async () =>
  (await db.pool.query<{ tx: string; id: string }>(`SELECT last_tx::text AS tx, last_id::text AS id FROM derivation_state WHERE name = '${DERIVATION}'`))
    .rows[0];

const records = async (eventIds: string[]) =>
  (
    await db.pool.query<{ event_id: string; status: string; attempts: number; unreadable_reason: string | null }>(
      `SELECT event_id, status, attempts, unreadable_reason FROM dead_letters WHERE event_id = ANY($1::text[]) OR event_key = ANY($1::text[])`,
      [eventIds],
    )
  ).rows;

/** The death as stored with one more header (the test hook's, or a value no decoder reads). */
function withHeader(d: RawDeath, name: string, value: unknown): RawDeath {
  return { ...d, headers: JSON.stringify({ ...(JSON.parse(d.headers) as Record<string, unknown>), [name]: value }) };
}

/** The unreadable records of a body: why, and the bytes their message keeps. */
const unreadableRecords = async (bodySha256: string) =>
  (
    await db.pool.query<{ reason: string; body: Buffer }>(
      `SELECT d.unreadable_reason AS reason, m.body FROM dead_letters d JOIN dead_letter_messages m ON m.id = d.latest_message_id
        WHERE d.status = 'unreadable' AND d.body_sha256 = $1`,
      [bodySha256],
    )
  ).rows;

async function deriveEverything(): Promise<void> {
  while ((await deriveBatch(db.pool, testLogger)).taken) {
    /* next batch */
  }
}

describe('reading raw inbox rows', () => {
  it('a raw row the derivation cannot read is recorded unreadable with its bytes; the rows around it are derived', async () => {
    await deriveEverything();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const deaths = ids.map((id, i) => raw(i, id));
    // stored as the drain stores it, then unreadable when read back (the test hook's header, which
    // the drain itself would have parked: added to the stored headers only)
    deaths[1] = withHeader(deaths[1], UNREADABLE_TEST_HEADER, 'yes');
    await store(deaths);
    await deriveEverything();

    const rows = await records(ids);
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    expect(byId.get(ids[0])).toMatchObject({ status: 'pending', attempts: 1 });
    expect(byId.get(ids[2])).toMatchObject({ status: 'pending', attempts: 1 });
    const unreadable = await unreadableRecords(deaths[1].bodySha256);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0].reason).toContain('test hook');
    expect(unreadable[0].body.equals(deaths[1].body)).toBe(true);
    // nothing left to derive, and the record of the unreadable one is its only trace
    const w = await watermark();
    const { rows: left } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letter_inbox WHERE (tx, id) > ($1::xid8, $2::bigint)`, [
      w.tx,
      w.id,
    ]);
    expect(left[0].n).toBe(0);
  });

  it('stored headers that cannot be decoded (tagged JSON the drain never writes) make the row unreadable, not the derivation stuck', async () => {
    await deriveEverything();
    const ids = [randomUUID(), randomUUID()];
    const deaths = ids.map((id, i) => raw(i, id));
    deaths[0] = withHeader(deaths[0], 'x-broken', { $table: 5 });
    await store(deaths);
    await deriveEverything();
    expect((await records([ids[1]]))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    const rows = await unreadableRecords(deaths[0].bodySha256);
    expect(rows).toHaveLength(1);
    expect(rows[0].reason).toContain('cannot decode the stored properties or headers');
    expect(rows[0].body.equals(deaths[0].body)).toBe(true);
    // set aside, not parked: no parking queue is named
    const { rows: trace } = await db.pool.query<{ error_message: string; details: Record<string, unknown> }>(
      `SELECT d.error_message, h.details FROM dead_letters d JOIN dead_letter_history h ON h.dead_letter_id = d.id
        WHERE d.status = 'unreadable' AND d.body_sha256 = $1 AND h.action = 'parked'`,
      [deaths[0].bodySha256],
    );
    expect(trace).toHaveLength(1);
    expect(trace[0].error_message).toMatch(/^Unreadable, set aside: cannot decode/);
    expect(trace[0].details).toMatchObject({ setAsideBy: 'derivation' });
    expect(trace[0].details).not.toHaveProperty('parkedTo');
  });

  it('unreadable rows first, side by side and last in one batch: each set aside, every other row derived once, in one call', async () => {
    await deriveEverything();
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const bad = new Set([0, 4, 5, 9]);
    const deaths = ids.map((id, i) => {
      const d = raw(i, id);
      return bad.has(i) ? withHeader(d, UNREADABLE_TEST_HEADER, 'yes') : d;
    });
    await store(deaths);
    const r = await deriveBatch(db.pool, testLogger, 10);
    expect(r.taken).toBe(10);
    const good = ids.filter((_, i) => !bad.has(i));
    const rows = await records(good);
    expect(rows).toHaveLength(6);
    expect(rows.every((x) => x.status === 'pending' && x.attempts === 1)).toBe(true);
    const { rows: unreadable } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dead_letters WHERE status = 'unreadable' AND body_sha256 = ANY($1::text[])`,
      [deaths.filter((_, i) => bad.has(i)).map((d) => d.bodySha256)],
    );
    expect(unreadable[0].n).toBe(4);
    // the watermark is past all ten: nothing left, nothing derived twice
    expect((await deriveBatch(db.pool, testLogger, 10)).taken).toBe(0);
    const { rows: history } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dead_letter_history h JOIN dead_letters d ON d.id = h.dead_letter_id WHERE d.event_id = ANY($1::text[])`,
      [good],
    );
    expect(history[0].n).toBe(6);
  });

  it('a row not even its unreadable record can be written for is kept in the inbox (never cleaned away), and the derivation goes on', async () => {
    await deriveEverything();
    const ids = [randomUUID(), randomUUID()];
    const deaths = ids.map((id, i) => raw(i, id));
    deaths[0] = withHeader(deaths[0], UNREADABLE_TEST_HEADER, 'yes');
    // the database refuses the unreadable record of that one body, whatever its headers
    await db.pool.query(
      `ALTER TABLE dead_letters ADD CONSTRAINT test_refuse_unreadable CHECK (status <> 'unreadable' OR body_sha256 <> '${deaths[0].bodySha256}')`,
    );
    try {
      await store(deaths);
      await deriveEverything();
    } finally {
      await db.pool.query(`ALTER TABLE dead_letters DROP CONSTRAINT test_refuse_unreadable`);
    }
    expect((await records([ids[1]]))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await db.pool.query(`SELECT 1 FROM dead_letters WHERE body_sha256 = $1`, [deaths[0].bodySha256])).rows).toHaveLength(0);
    // passed by the watermark, marked kept, and still there after the inbox is cleaned
    expect((await deriveBatch(db.pool, testLogger)).taken).toBe(0);
    await cleanInbox(db.pool);
    const { rows: kept } = await db.pool.query<{ prepared: string; body: Buffer }>(`SELECT prepared, body FROM dead_letter_inbox WHERE fingerprint = $1`, [
      deaths[0].fingerprint,
    ]);
    expect(kept).toHaveLength(1);
    expect(JSON.parse(kept[0].prepared)).toMatchObject({ kept: true });
    expect(kept[0].body.equals(deaths[0].body)).toBe(true);
    expect((await db.pool.query(`SELECT 1 FROM dead_letter_inbox WHERE fingerprint = $1`, [deaths[1].fingerprint])).rows).toHaveLength(0);
  });

  it('a missing watermark row is an error, never taken for another process holding it', async () => {
    await db.pool.query(`UPDATE derivation_state SET name = 'renamed-by-the-test' WHERE name = $1`, [DERIVATION]);
    try {
      await expect(deriveBatch(db.pool, testLogger)).rejects.toThrow(/watermark "raw-inbox" is missing/);
    } finally {
      await db.pool.query(`UPDATE derivation_state SET name = $1 WHERE name = 'renamed-by-the-test'`, [DERIVATION]);
    }
    expect((await deriveBatch(db.pool, testLogger)).ran).toBe(true);
  });

  it('a batch read ahead is used only while it follows the watermark: derived elsewhere meanwhile, nothing is derived twice', async () => {
    await deriveEverything();
    const ids = Array.from({ length: 12 }, () => randomUUID());
    await store(ids.map((id, i) => raw(i, id)));
    // a first batch of 4 that reads the next 4 ahead
    const first = await deriveBatch(db.pool, testLogger, 4, { readAhead: true });
    expect(first.taken).toBe(4);
    expect(first.next).toBeDefined();
    const ahead = await first.next!;
    expect(ahead?.keys).toHaveLength(4);
    expect(ahead?.readings).toHaveLength(4);
    // another process derives those 4 (and the rest) before this one comes back with its read
    await deriveEverything();
    const stale = await deriveBatch(db.pool, testLogger, 4, { ahead: Promise.resolve(ahead) });
    expect(stale.taken).toBe(0);

    const rows = await records(ids);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 1)).toBe(true);
    const { rows: history } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dead_letter_history h JOIN dead_letters d ON d.id = h.dead_letter_id WHERE d.event_id = ANY($1::text[])`,
      [ids],
    );
    expect(history[0].n).toBe(12);
  });

  it('a batch read ahead that still follows the watermark is derived as read', async () => {
    await deriveEverything();
    const ids = Array.from({ length: 6 }, () => randomUUID());
    await store(ids.map((id, i) => raw(i, id)));
    const first = await deriveBatch(db.pool, testLogger, 3, { readAhead: true });
    const second = await deriveBatch(db.pool, testLogger, 3, { ahead: first.next });
    expect([first.taken, second.taken]).toEqual([3, 3]);
    const rows = await records(ids);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 1)).toBe(true);
  });

  it('a batch stops at its byte bound (one row at least), and the next batch goes on from there', async () => {
    await deriveEverything();
    const big = Array.from({ length: 3 }, (_, i) => ({ ...raw(i), body: Buffer.alloc(100_000, 0x61 + i) }));
    await store(big);
    const from = await watermark();
    const one = await readNext(db.pool, from, 10, 150_000);
    expect(one.keys).toHaveLength(1);
    expect(one.readings).toHaveLength(1);
    const two = await readNext(db.pool, from, 10, 250_000);
    expect(two.keys).toHaveLength(2);
    const atLeastOne = await readNext(db.pool, from, 10, 0);
    expect(atLeastOne.keys).toHaveLength(1);
    const all = await readNext(db.pool, from, 10);
    expect(all.keys).toHaveLength(3);
    expect(all.readings.map((r) => r.key)).toEqual(all.keys);
    await deriveEverything();
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letter_messages WHERE octet_length(body) = 100000`);
    expect(rows[0].n).toBe(3);
  });
});

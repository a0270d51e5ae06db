// The derivation's set-based write (lib/bus/derive-records.ts) against real PostgreSQL, on the
// cases where a record, its group counts and the history depend on more than one death: deaths of
// one record in one batch, a record that moves to another group, a republished record that dies
// again, a redelivery derived twice, an identical first delivery, and an operator's retry of an
// unreadable message (storeAndDerive: through the inbox, inside its own transaction).
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDeadLetter, type PreparedDeath } from '@/lib/bus/prepare-dead-letter';
import { DERIVABLE_BEFORE, storeAndDerive } from '@/lib/bus/derive-records';
import { derivationPending, readDerivationLag } from '@/lib/bus/derive-dead-letters';
import { insertRaw } from '@/lib/bus/write-raw';
import type { InboxDeath } from '@/lib/bus/inbox-row';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { asRaw, drainAndDerive as storeAndDeriveAll } from './drain-helpers';
import { ignoreCleanupError } from '../helpers/cleanup';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('deriverec');
});

afterAll(async () => {
  await db?.drop();
});

interface Death {
  eventId: string;
  queue?: string;
  error?: string;
  redelivered?: boolean;
  republishCount?: number;
  /** seconds since the epoch of the x-death time */
  at?: number;
}

function death(d: Death): PreparedDeath {
  const at = d.at ?? 1764268800;
  const body = Buffer.from(
    JSON.stringify({
      eventId: d.eventId,
      eventType: 'course.enrolled',
      timestamp: new Date(at * 1000).toISOString(),
      version: '1.0',
      source: 't',
      data: { studentId: 1, courseId: 'c' },
    }),
  );
  const headers: Record<string, unknown> = {
    'x-last-error': d.error ?? 'SMTP timeout',
    'x-death': [
      {
        count: 1,
        reason: 'rejected',
        queue: d.queue ?? 'enrolment-service',
        time: { '!': 'timestamp', value: at },
        exchange: 'edu.events',
        'routing-keys': ['course.enrolled'],
      },
    ],
  };
  if (d.republishCount) headers['x-eventdesk-republish-count'] = d.republishCount;
  const msg = {
    content: body,
    fields: { deliveryTag: 1, redelivered: d.redelivered ?? false, exchange: '', routingKey: 'course.enrolled', consumerTag: 'c' },
    properties: { contentType: 'application/json', messageId: d.eventId, headers },
  };
  return prepareDeadLetter(msg as unknown as ConsumeMessage);
}

/** Stores the deaths as one drain batch, then derives everything stored (`receivedAt`: the batch's rows given that arrival time first). */
const drainAndDerive = (deaths: InboxDeath[], heldRows: 'wait' | 'leave' = 'wait', receivedAt?: Date) =>
  storeAndDeriveAll(db.pool, deaths, 'edu.events.dlq', heldRows, receivedAt);

/** letters only: the group signature keeps words, and normalises ids and numbers away */
const word = () => Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');

const record = async (eventId: string) =>
  (
    await db.pool.query(
      `SELECT id, attempts, status, group_id, failed_again_after_retry, republish_count, error_message, latest_message_id::text AS latest,
              (SELECT count(*)::int FROM dead_letter_messages m WHERE m.dead_letter_id = d.id) AS messages,
              (SELECT array_agg(action ORDER BY id) FROM dead_letter_history h WHERE h.dead_letter_id = d.id) AS history
         FROM dead_letters d WHERE event_id = $1`,
      [eventId],
    )
  ).rows[0];
const group = async (id: string) => (await db.pool.query(`SELECT count, pending_count FROM failure_groups WHERE id = $1`, [id])).rows[0];

// The record semantics hold both ways a row reaches the inbox: read by the drain (a retried
// unreadable message, rows of an older drain) or stored raw and read by the derivation (the drain).
describe.each([
  ['read when stored', false],
  ['stored raw, read by the derivation', true],
])('derivation of records from the inbox (%s)', (_way, raw) => {
  const store = (deaths: PreparedDeath[]) => drainAndDerive(raw ? deaths.map(asRaw) : deaths);

  it('three deaths of one record in one batch: one record, three messages, the latest one wins', async () => {
    const eventId = randomUUID();
    const [a, b] = [`broker ${word()}`, `broker ${word()}`];
    const deaths = [death({ eventId, at: 1764268800, error: a }), death({ eventId, at: 1764268900, error: b }), death({ eventId, at: 1764268850, error: a })];
    await store(deaths);
    const r = await record(eventId);
    expect(r).toMatchObject({ attempts: 3, status: 'pending', messages: 3, error_message: a, history: ['dead-lettered', 'failed-again', 'failed-again'] });
    // the latest message is the last one to arrive (its inbox id), not the latest failure time
    const { rows } = await db.pool.query(`SELECT id::text AS id FROM dead_letter_messages WHERE dead_letter_id = $1 ORDER BY id`, [r.id]);
    expect(r.latest).toBe(rows[2].id);
    // its group (the latest death's) counts two deaths and the record as pending; the other one death, nothing pending
    expect(await group(r.group_id)).toEqual({ count: 2, pending_count: 1 });
    const other = await db.pool.query(`SELECT count, pending_count FROM failure_groups WHERE signature LIKE $1`, [`%${b.split(' ')[1]}%`]);
    expect(other.rows).toEqual([{ count: 1, pending_count: 0 }]);
    const first = await db.pool.query(`SELECT first_failed_at, last_failed_at FROM dead_letters WHERE id = $1`, [r.id]);
    expect(first.rows[0].first_failed_at.toISOString()).toBe(new Date(1764268800_000).toISOString());
    expect(first.rows[0].last_failed_at.toISOString()).toBe(new Date(1764268900_000).toISOString());
  });

  it('a pending record that dies again with another error moves to that group: one pending less there, one more here', async () => {
    const eventId = randomUUID();
    await store([death({ eventId, error: `quota exceeded ${word()}` })]);
    const before = await record(eventId);
    const oldGroup = await group(before.group_id);
    await store([death({ eventId, error: `disk full ${word()}`, at: 1764269000 })]);
    const after = await record(eventId);
    expect(after.group_id).not.toBe(before.group_id);
    expect(after).toMatchObject({ attempts: 2, status: 'pending', messages: 2, history: ['dead-lettered', 'failed-again'] });
    expect((await group(before.group_id)).pending_count).toBe(oldGroup.pending_count - 1);
    expect(await group(after.group_id)).toEqual({ count: 1, pending_count: 1 });
  });

  it('a republished record that dies again is pending again, counted in its group again, and marked failed again after a retry', async () => {
    const eventId = randomUUID();
    const error = `gateway refused ${word()}`;
    await store([death({ eventId, error })]);
    const first = await record(eventId);
    await db.pool.query(`UPDATE dead_letters SET status = 'republished', republish_count = 1 WHERE id = $1`, [first.id]);
    await db.pool.query(`UPDATE failure_groups SET pending_count = pending_count - 1 WHERE id = $1`, [first.group_id]);
    const pendingBefore = (await group(first.group_id)).pending_count;
    await store([death({ eventId, error, republishCount: 1, at: 1764269100 })]);
    const again = await record(eventId);
    expect(again).toMatchObject({ status: 'pending', failed_again_after_retry: true, republish_count: 1, attempts: 2 });
    expect((await group(first.group_id)).pending_count).toBe(pendingBefore + 1);
  });

  it('a redelivery derived after its first copy changes nothing; an identical first delivery is a death of its own', async () => {
    const eventId = randomUUID();
    const d = death({ eventId, error: `stale cache ${word()}` });
    await store([d]);
    const once = await record(eventId);
    const groupOnce = await group(once.group_id);
    // the inbox row is gone (cleaned) or derived: a redelivery reaches the derivation as a new inbox row
    await db.pool.query(`DELETE FROM dead_letter_inbox`);
    await store([{ ...d, redelivered: true }]);
    expect(await record(eventId)).toMatchObject({ attempts: 1, messages: 1 });
    expect(await group(once.group_id)).toEqual(groupOnce);
    await db.pool.query(`DELETE FROM dead_letter_inbox`);
    await store([{ ...d, redelivered: false }]);
    expect(await record(eventId)).toMatchObject({ attempts: 2, messages: 2, history: ['dead-lettered', 'failed-again'] });
    expect((await group(once.group_id)).count).toBe(groupOnce.count + 1);
  });
});

describe('a delivery whose write was held up past its channel death', () => {
  it("is its redelivered copy's message, not a new death, when the copy was stored and derived first", async () => {
    const eventId = randomUUID();
    const d = death({ eventId, error: `held up ${word()}` });
    // the copy (redelivered) is stored and derived, its inbox row cleaned away
    await drainAndDerive([{ ...asRaw(d), redelivered: true }]);
    await db.pool.query(`DELETE FROM dead_letter_inbox`);
    // the first delivery's write began before the copy's (its received_at earlier) and commits after
    const { rows } = await db.pool.query<{ at: Date }>(`SELECT received_at AS at FROM dead_letter_messages WHERE fingerprint = $1`, [d.fingerprint]);
    await drainAndDerive([asRaw(d)], 'wait', new Date(rows[0].at.getTime() - 2000));
    expect(await record(eventId)).toMatchObject({ attempts: 1, messages: 1, history: ['dead-lettered'] });
    // one begun after the stored copy is an identical new death, as before
    await db.pool.query(`DELETE FROM dead_letter_inbox`);
    await drainAndDerive([asRaw(d)]);
    expect(await record(eventId)).toMatchObject({ attempts: 2, messages: 2, history: ['dead-lettered', 'failed-again'] });
  });
});

describe('derivation of records from the inbox', () => {
  it('storeAndDerive (a retried unreadable message) derives in the caller transaction and leaves nothing in the inbox', async () => {
    const eventId = randomUUID();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const counts = await storeAndDerive(client, [death({ eventId })], 'edu.events.dlq');
      expect(counts).toEqual({ stored: 1, duplicates: 0, newRecords: 1 });
      await client.query('ROLLBACK');
      expect(await record(eventId)).toBeUndefined();
      await client.query('BEGIN');
      await storeAndDerive(client, [death({ eventId })], 'edu.events.dlq');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await record(eventId)).toMatchObject({ attempts: 1, messages: 1, status: 'pending' });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM dead_letter_inbox WHERE prepared::json->>'eventId' = $1`, [eventId])).rows[0].n).toBe(0);
  });

  it('a writing transaction of another database does not hold the derivation up; one of this database does, until it ends', async () => {
    // another database of the same server, a transaction that wrote and stays open
    const other = new pg.Client({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1') });
    await other.connect();
    const writer = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      const first = randomUUID();
      await drainAndDerive([death({ eventId: first })]);
      expect(await record(first)).toMatchObject({ attempts: 1 });

      // a drain batch of this database still being written: what commits after it waits for it
      await writer.query('BEGIN');
      const late = randomUUID();
      await insertRaw(writer, [death({ eventId: late })], 'edu.events.dlq');
      const early = randomUUID();
      await drainAndDerive([death({ eventId: early })], 'leave');
      expect(await record(early)).toBeUndefined();
      await writer.query('COMMIT');
      await drainAndDerive([]);
      expect(await record(late)).toMatchObject({ attempts: 1 });
      expect(await record(early)).toMatchObject({ attempts: 1 });
    } finally {
      // (nothing open any more when the test passed)
      await writer.query('ROLLBACK').catch(ignoreCleanupError);
      writer.release();
      await other.query('ROLLBACK').catch(ignoreCleanupError);
      await other.end();
    }
  });
  it('a drain batch that commits while the horizon is read is not passed: the horizon stays at or below it', async () => {
    // The horizon is read from the statement's snapshot, then pg_stat_activity. A drain batch
    // running at the snapshot and committed before pg_stat_activity is read is in neither list
    // of running transactions, yet its rows are not in the snapshot: the horizon must not pass
    // it, or the watermark skips its rows for good. The statement sleeps between the two reads.
    const writer = await db.pool.connect();
    const reader = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      await insertRaw(writer, [death({ eventId: randomUUID() })], 'edu.events.dlq');
      const { rows } = await writer.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x');
      // a later transaction that has ended: the snapshot lists the writer as running below it
      await reader.query('BEGIN');
      await reader.query('SELECT pg_current_xact_id()');
      await reader.query('COMMIT');
      const horizon = reader.query<{ horizon: string; snapshot: string }>(
        `SELECT (SELECT h FROM (SELECT ${DERIVABLE_BEFORE} AS h) hh WHERE y.s IS NOT NULL)::text AS horizon, pg_current_snapshot()::text AS snapshot
           FROM (SELECT pg_sleep(0.6)::text AS s OFFSET 0) y`,
      );
      await new Promise((r) => setTimeout(r, 200));
      await writer.query('COMMIT');
      const read = (await horizon).rows[0];
      // the writer was running in the statement's snapshot
      expect(read.snapshot.split(':')[2].split(',')).toContain(rows[0].x);
      expect(BigInt(read.horizon)).toBeLessThanOrEqual(BigInt(rows[0].x));
    } finally {
      await writer.query('ROLLBACK').catch(ignoreCleanupError);
      writer.release();
      reader.release();
    }
  });

  it("the lag and the search indexer's check count only the rows past the watermark, not the derived ones still in the inbox", async () => {
    await drainAndDerive([]);
    // derived rows stay in the inbox until the deriver is idle (cleanInbox): 40 of them here
    await drainAndDerive(Array.from({ length: 40 }, () => death({ eventId: randomUUID() })));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM dead_letter_inbox`)).rows[0].n).toBeGreaterThanOrEqual(40);
    expect(await readDerivationLag(db.pool)).toMatchObject({ messages: 0, seconds: 0 });
    expect(await derivationPending(db.pool)).toBe(false);

    const client = await db.pool.connect();
    try {
      await insertRaw(
        client,
        [1, 2, 3].map(() => death({ eventId: randomUUID() })),
        'edu.events.dlq',
      );
    } finally {
      client.release();
    }
    const lag = await readDerivationLag(db.pool);
    expect(lag.messages).toBe(3);
    expect(lag.derivedTotal).toBeGreaterThanOrEqual(40);
    expect(await derivationPending(db.pool)).toBe(true);

    await drainAndDerive([]);
    expect(await readDerivationLag(db.pool)).toMatchObject({ messages: 0 });
    expect(await derivationPending(db.pool)).toBe(false);
  });
});

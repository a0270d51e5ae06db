// Poison input: whatever lands in the DLQ is stored, byte for byte, and nothing crashes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAmqpValue } from '@/lib/bus/amqp-values';
import { Drainer } from '@/lib/bus/drainer';
import { MAX_READ_BODY_BYTES } from '@/lib/bus/prepare-dead-letter';
import { createTestBroker, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { count, dlqTopology, publishAll, testLogger, waitFor } from './drain-helpers';

let broker: TestBroker;
let db: TestDatabase;
let dlq: string;
let drainer: Drainer;

beforeAll(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('drainpoison');
  ({ dlq } = await dlqTopology(broker, 'drainpoison'));
  drainer = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, batchSize: 100, lingerMs: 10, logger: testLogger });
  await drainer.start();
});

afterAll(async () => {
  await drainer?.stop();
  await broker?.cleanup();
  await db?.drop();
});

function drainer2(queue: string, maxHeldBytes: number) {
  return new Drainer({ amqpUrl: broker.url, queue, databaseUrl: db.url, batchSize: 100, lingerMs: 10, maxHeldBytes, logger: testLogger });
}

async function stored(messageId: string) {
  return waitFor(
    async () =>
      (
        await db.pool.query(
          `SELECT d.*, m.body, m.headers AS raw_headers, m.properties AS raw_properties, m.deaths
             FROM dead_letters d JOIN dead_letter_messages m ON m.dead_letter_id = d.id WHERE d.event_key = $1`,
          [messageId],
        )
      ).rows[0],
    30_000,
    `message ${messageId}`,
  );
}

describe('poison input', () => {
  it('stores non-JSON text, binary, an empty body and a 5 MB body exactly', async () => {
    const bodies: Record<string, Buffer> = {
      text: Buffer.from('this is not json {'),
      binary: randomBytes(4096),
      empty: Buffer.alloc(0),
      nul: Buffer.from('{"eventId":"x\\u0000y","a":"\\u0000"}'),
      huge: randomBytes(5 * 1024 * 1024),
      surrogate: Buffer.from('{"eventType":"\\ud800","eventId":"\\udc00", "\\ud800": 1}'),
    };
    const ids = Object.fromEntries(Object.keys(bodies).map((k) => [k, `poison-${k}-${randomUUID()}`]));
    for (const [k, body] of Object.entries(bodies)) broker.channel.sendToQueue(dlq, body, { messageId: ids[k] });
    for (const [k, body] of Object.entries(bodies)) {
      const key = k === 'nul' ? 'x\uFFFDy' : k === 'surrogate' ? '\uFFFD' : ids[k];
      const row = await stored(key);
      expect(Buffer.compare(row.body, body), k).toBe(0);
      expect(row.body_size).toBe(body.length);
      expect(row.queue).toBe('');
    }
    const text = await stored(ids.text);
    expect(text).toMatchObject({ validation_status: 'unparseable', event_key_source: 'message-id' });
    // the search text queued for the indexer: the body as text, nothing for binary
    // (a body that is its own text is named by its message, not copied: the indexer reads it there)
    const queued = async (id: string) =>
      (
        await db.pool.query(
          `SELECT COALESCE(b.search_text, convert_from(m.body, 'UTF8')) AS text FROM search_backlog b
             LEFT JOIN dead_letter_messages m ON m.id = b.message_id WHERE b.dead_letter_id = $1`,
          [id],
        )
      ).rows[0]?.text;
    expect(await queued(text.id)).toContain('this is not json');
    expect(await queued((await stored(ids.binary)).id)).toBe('');
  });

  it('derives a 6 MB event of 3,000,000 array elements without checking its contract (zod took it out of memory)', async () => {
    const eventId = randomUUID();
    const body = Buffer.from(
      JSON.stringify({
        eventId,
        eventType: 'order.created',
        timestamp: '2026-11-20T10:34:00Z',
        version: '1.0',
        source: 'ecommerce-service',
        data: { orderId: 'o1', userId: 'u1', courseIds: Array(3_000_000).fill(0), totalAmount: 1, currency: 'USD' },
      }),
    );
    expect(body.length).toBeLessThan(MAX_READ_BODY_BYTES); // read whole: the other limit is the one tested
    broker.channel.sendToQueue(dlq, body, { messageId: `big-${eventId}` });
    const row = await stored(eventId);
    expect(row.body_size).toBe(body.length);
    expect(row).toMatchObject({ validation_status: 'invalid', event_type: 'order.created', event_key_source: 'event-id' });
    expect(row.violations).toEqual([{ path: '$', message: 'not checked against the contract: holds more than 10000 values' }]);
  });

  it('reads a body over 8 MB by its envelope only (its first 64 KB), and stores it whole', async () => {
    const eventId = randomUUID();
    const event = { eventId, eventType: 'user.created', timestamp: '2026-11-20T10:34:00Z', version: '1.0', source: 'user-service' };
    const body = Buffer.from(JSON.stringify({ ...event, data: { userId: 'u1', bio: 'x'.repeat(MAX_READ_BODY_BYTES + 1024 * 1024) } }));
    broker.channel.sendToQueue(dlq, body, { messageId: `huge-${eventId}`, contentType: 'application/json' });
    const row = await stored(eventId);
    expect(Buffer.compare(row.body, body)).toBe(0);
    expect(row).toMatchObject({
      body_size: body.length,
      body_sha256: createHash('sha256').update(body).digest('hex'),
      validation_status: 'invalid',
      event_type: 'user.created',
      version: '1.0',
      event_key_source: 'event-id',
    });
    expect(row.violations).toEqual([
      { path: '$', message: 'not checked against the contract: the body is 9.1 MB, over the 8 MB read in full (its envelope read from its first 64 KB)' },
    ]);
    // its search text is its beginning, as for any body past the search's bytes
    const { rows } = await db.pool.query(`SELECT search_text FROM search_backlog WHERE dead_letter_id = $1`, [row.id]);
    expect(rows[0].search_text).toMatch(/^\{"eventId":"[^"]+","eventType":"user.created".*xxxx$/);
  });

  it('stores a message with no properties at all', async () => {
    const body = Buffer.from(`no properties ${randomUUID()}`);
    broker.channel.sendToQueue(dlq, body);
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(body).digest('hex');
    const row = await stored(sha);
    expect(row).toMatchObject({ event_key_source: 'body-sha256', body_sha256: sha, queue: '', reason: null, content_type: null });
    expect(row.raw_headers).toEqual({});
  });

  it('stores headers of odd types faithfully (bytes, NUL, longs, timestamps, nested tables, arrays)', async () => {
    const id = `odd-${randomUUID()}`;
    const headers = {
      bytes: Buffer.from([0, 1, 2, 255]),
      nul: 'a\u0000b',
      long: { '!': 'long', value: 2 ** 40 },
      neg: -5,
      float: { '!': 'double', value: 1.25 },
      flag: true,
      nothing: null,
      when: { '!': 'timestamp', value: 1764268800 },
      nested: { list: [1, 'two', { deep: Buffer.from('x') }], empty: {} },
      $tagLike: 'x',
      'x-death': 'not an array',
      'x-eventdesk-republish-count': 'NaN',
    };
    broker.channel.sendToQueue(dlq, Buffer.from('{}'), { messageId: id, headers, timestamp: 1764268800, priority: 3, type: 'weird.type', appId: 'app' });
    const row = await stored(id);
    const decoded = decodeAmqpValue(row.raw_headers) as Record<string, unknown>;
    expect(decoded.bytes).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(decoded.nul).toBe('a\u0000b');
    expect(decoded.long).toBe(2 ** 40);
    expect(decoded.float).toBe(1.25);
    expect(decoded.when).toEqual({ '!': 'timestamp', value: 1764268800 });
    expect(decoded.nested).toEqual({ list: [1, 'two', { deep: Buffer.from('x') }], empty: {} });
    expect(decoded['$tagLike']).toBe('x');
    expect(row.raw_properties).toMatchObject({ messageId: id, timestamp: 1764268800, priority: 3, type: 'weird.type', appId: 'app' });
    expect(row).toMatchObject({ event_type: 'weird.type', republish_count: 0, validation_status: 'invalid' });
    expect(row.deaths).toEqual([]);
  });

  it('bounds the bytes it holds: large messages shrink the prefetch instead of filling memory', async () => {
    const { dlq: bigQueue } = await dlqTopology(broker, 'drainpoisonbig');
    const n = 60;
    const size = 2 * 1024 * 1024;
    const big = drainer2(bigQueue, 8 * 1024 * 1024);
    await publishAll(
      broker.connection,
      bigQueue,
      Array.from({ length: n }, (_, i) => ({ body: randomBytes(size), options: { messageId: `big-${bigQueue}-${i}` } })),
    );
    await big.start();
    await waitFor(
      async () => (await count(db.pool, `SELECT count(*) FROM dead_letters WHERE event_key LIKE $1`, [`big-${bigQueue}-%`])) === n,
      // (a bound for a hung drain, not a speed target: under the full suite on 2 cores this has taken over 90 s)
      180_000,
      'all big messages',
    );
    await big.stop();
    // the probe prefetch (16) plus the budget, far below the 120 MB a prefetch of 2000 would take in
    expect(big.peakHeldBytes).toBeLessThanOrEqual(16 * size + 8 * 1024 * 1024);
  }, 240_000);

  it('x-death past what a record holds (times outside 1970..9999 or in the future, counts past int, NUL in names): a readable record, in range', async () => {
    const cases: Record<string, Record<string, unknown>> = {
      year10000: { time: { '!': 'timestamp', value: 253402387200 } },
      bc: { time: -200000000000 }, // (a signed long: an AMQP timestamp is unsigned)
      maxSafe: { time: { '!': 'timestamp', value: Number.MAX_SAFE_INTEGER } },
      nextYear: { time: { '!': 'timestamp', value: Math.floor(Date.now() / 1000) + 365 * 86400 } },
      hugeCount: { count: 1e300 },
      nulNames: { queue: 'q\u0000ueue', reason: 're\u0000jected', exchange: 'ex\u0000', 'routing-keys': ['rk\u0000'] },
    };
    const ids = Object.fromEntries(Object.keys(cases).map((k) => [k, `xdeath-${k}-${randomUUID()}`]));
    const before = Date.now();
    for (const [k, death] of Object.entries(cases)) {
      broker.channel.sendToQueue(dlq, Buffer.from('{"odd":"x-death"}'), {
        messageId: ids[k],
        headers: { 'x-death': [{ queue: 'enrolment-service', reason: 'rejected', count: 1, exchange: 'edu.events', 'routing-keys': ['rk'], ...death }] },
      });
    }
    for (const [k, id] of Object.entries(ids)) {
      const row = await stored(id);
      expect(row.status, k).toBe('pending');
      expect(row.unreadable_reason, k).toBeNull();
      // stored times the console can show and retention can age: not before the test, not ahead of now
      for (const t of [row.first_failed_at, row.last_failed_at] as Date[]) {
        expect(Number.isNaN(t.getTime()), k).toBe(false);
        expect(t.getTime(), k).toBeGreaterThanOrEqual(before - 1000);
        expect(t.getTime(), k).toBeLessThanOrEqual(Date.now() + 1000);
      }
      expect(row.attempts, k).toBeLessThanOrEqual(2 ** 31 - 1);
    }
    expect((await stored(ids.nulNames)).queue).toBe('q\uFFFDueue');
  });

  it('keeps draining after all that', async () => {
    const id = `after-${randomUUID()}`;
    broker.channel.sendToQueue(dlq, Buffer.from('ok'), { messageId: id });
    await stored(id);
    expect(drainer.status().state).toBe('running');
    expect(await count(db.pool, 'SELECT count(*) FROM dead_letters')).toBe(await count(db.pool, 'SELECT count(*) FROM dead_letter_messages'));
  });
});

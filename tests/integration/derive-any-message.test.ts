// Property: whatever the drain could read, the derivation can store. Random headers (any value
// amqplib can decode: NUL and lone surrogates in strings, extreme numbers and dates, bytes,
// nested tables), random x-death entries, properties and bodies go through the inbox (writeRaw),
// read when stored (prepareDeadLetter) or stored raw as the drain does and read by the derivation,
// and the derivation (deriveBatch) against real PostgreSQL. A message the
// derivation cannot store would be set aside as an unreadable record ("refused by the database
// when its record was derived"), losing its queue, reason and group: none may be.
import type { ConsumeMessage } from 'amqplib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDeadLetter, rawDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { deadLetterBody, headerValue, xDeath } from '../helpers/amqp-arbitraries';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { DERIVATION } from '@/lib/bus/derive-dead-letters';
import { drainAndDerive } from './drain-helpers';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('deriveany');
});

afterAll(async () => {
  await db?.drop();
});

const message = fc
  .record({
    body: deadLetterBody,
    headers: fc.dictionary(fc.string({ maxLength: 20 }), headerValue, { maxKeys: 4 }),
    deaths: fc.option(xDeath),
    error: fc.option(headerValue),
    properties: fc.dictionary(fc.constantFrom('messageId', 'contentType', 'type', 'correlationId', 'timestamp'), headerValue, { maxKeys: 3 }),
    redelivered: fc.boolean(),
  })
  .map(({ body, headers, deaths, error, properties, redelivered }) => {
    const h: Record<string, unknown> = { ...headers };
    if (deaths) h['x-death'] = deaths;
    if (error !== null) h['x-last-error'] = error;
    return {
      content: body,
      fields: { deliveryTag: 1, redelivered, exchange: '', routingKey: 'rk', consumerTag: 'c' },
      properties: { ...properties, headers: h },
    } as unknown as ConsumeMessage;
  });

const setAside = async () =>
  (
    await db.pool.query<{ n: number; reason: string | null }>(
      `SELECT count(*)::int AS n, max(unreadable_reason) AS reason FROM dead_letters WHERE status = 'unreadable'`,
    )
  ).rows[0];

describe.each([
  ['read when stored', (m: ConsumeMessage) => prepareDeadLetter(m)],
  ['stored raw, read by the derivation', (m: ConsumeMessage) => rawDeadLetter(m)],
])('the derivation stores whatever the drain could read (%s)', (_way, read) => {
  it('random messages: every readable one becomes a readable record, none set aside', async () => {
    let readable = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 25 }), async (messages) => {
        const deaths = messages.map(read).filter((d) => d.unreadable === null);
        readable += deaths.length;
        if (!deaths.length) return;
        // (each run adds to the same database: it checks what it added)
        const before = await setAside();
        await drainAndDerive(db.pool, deaths);
        const after = await setAside();
        expect(after.n - before.n, after.reason ?? '').toBe(0);
        const pending = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM dead_letter_inbox i, derivation_state s WHERE s.name = '${DERIVATION}' AND (i.tx, i.id) > (s.last_tx, s.last_id)`,
        );
        expect(pending.rows[0].n).toBe(0);
      }),
      { numRuns: 100 },
    );
    // the generators reach the store: most messages are readable
    expect(readable).toBeGreaterThan(200);
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters`);
    expect(rows[0].n).toBeGreaterThan(0);
  }, 120_000);
});

// The derivation reads a raw inbox row (lib/bus/read-inbox.ts) from its stored form: the bytes, and
// the properties and headers as the drain encoded them (lib/bus/amqp-values.ts). Property: that
// reading is the one the drain would have made of the delivery itself (prepareDeadLetter), field
// for field, for any message: so moving the reading out of the drain changes no record.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ConsumeMessage } from 'amqplib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inboxValues, toInboxPrepared } from '@/lib/bus/inbox-row';
import { prepareDeadLetter, rawDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { decodeHeaders } from '@/lib/bus/amqp-safe-decoder';
import { readRow } from '@/lib/bus/read-inbox';
import { makeDeadLetter, asDelivery } from '../integration/drain-fixtures';
import { deadLetterBody, headerValue, xDeath } from '../helpers/amqp-arbitraries';

/** What the inbox row holds for a delivery the drain stored raw, and what the derivation reads back. */
function readBack(msg: ConsumeMessage, receivedAt: Date) {
  const raw = rawDeadLetter(msg);
  const [prepared] = inboxValues(raw);
  return {
    raw,
    read: readRow({
      tx: '1',
      id: '1',
      fingerprint: raw.fingerprint,
      dlq: 'edu.events.dlq',
      body: raw.body,
      properties: raw.properties,
      headers: raw.headers,
      prepared,
      received_at: receivedAt,
    }),
  };
}

const req = createRequire(import.meta.url);
const codec = req(join(dirname(req.resolve('amqplib')), 'lib', 'codec.js')) as { encodeTable(buf: Buffer, val: unknown, offset: number): number };

/** Headers as the drain receives them: encoded by a publisher's amqplib, decoded by the drain's decoder (null: not encodable). */
function overTheWire(headers: Record<string, unknown>): Record<string, unknown> | null {
  const buf = Buffer.alloc(1 << 20);
  try {
    const len = codec.encodeTable(buf, headers, 0);
    return decodeHeaders(buf.subarray(4, len));
  } catch {
    return null;
  }
}

const message = fc
  .record({
    body: deadLetterBody,
    headers: fc.dictionary(fc.string({ maxLength: 20 }), headerValue, { maxKeys: 4 }),
    deaths: fc.option(xDeath),
    error: fc.option(headerValue),
    properties: fc.record(
      { messageId: fc.string(), contentType: fc.string(), type: fc.string(), correlationId: fc.string(), timestamp: fc.nat() },
      { requiredKeys: [] },
    ),
    redelivered: fc.boolean(),
    routingKey: fc.string({ maxLength: 30 }),
  })
  .map(({ body, headers, deaths, error, properties, redelivered, routingKey }) => {
    const h: Record<string, unknown> = { ...headers };
    if (deaths) h['x-death'] = deaths;
    if (error !== null) h['x-last-error'] = error;
    const received = overTheWire(h);
    if (received === null) return null;
    return {
      content: body,
      fields: { deliveryTag: 1, redelivered, exchange: '', routingKey, consumerTag: 'c' },
      properties: { ...properties, headers: received },
    } as unknown as ConsumeMessage;
  })
  .filter((m): m is ConsumeMessage => m !== null);

describe('reading a raw inbox row', () => {
  it('gives what the drain would have read of the delivery, for the platform’s dead letters', () => {
    const receivedAt = new Date('2026-12-06T10:00:00.000Z');
    for (let i = 0; i < 200; i++) {
      const msg = asDelivery(makeDeadLetter(i), i + 1);
      const { raw, read } = readBack(msg, receivedAt);
      const live = prepareDeadLetter(msg, receivedAt);
      expect(read.fingerprint).toBe(raw.fingerprint);
      expect(live.fingerprint).toBe(raw.fingerprint);
      expect(toInboxPrepared(read)).toBe(toInboxPrepared(live));
      expect([read.failedAt, read.searchText, read.unreadable]).toEqual([live.failedAt, live.searchText, live.unreadable]);
    }
  });

  it('gives what the drain would have read, for random headers (as they come over the wire), properties and bodies', () => {
    const receivedAt = new Date('2026-12-06T10:00:00.000Z');
    fc.assert(
      fc.property(message, (msg) => {
        const live = prepareDeadLetter(msg, receivedAt);
        const { raw, read } = readBack(msg, receivedAt);
        // what the drain cannot read it parks, and never stores
        if (raw.unreadable !== null) return;
        expect(JSON.parse(toInboxPrepared(read))).toEqual(JSON.parse(toInboxPrepared(live)));
        expect([read.failedAt, read.searchText, read.unreadable]).toEqual([live.failedAt, live.searchText, live.unreadable]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('a row whose body was read in part (over MAX_READ_BODY_BYTES: its first 64 KB)', () => {
  const eventId = '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f';
  const body = Buffer.from(JSON.stringify({ eventId, eventType: 'user.created', version: '1.0', data: { bio: 'x'.repeat(9 * 1024 * 1024) } }));
  const raw = rawDeadLetter({
    content: body,
    fields: { redelivered: false, routingKey: 'user.created' },
    properties: { headers: {} },
  } as unknown as ConsumeMessage);
  const [prepared] = inboxValues(raw);
  const row = {
    tx: '1',
    id: '1',
    fingerprint: raw.fingerprint,
    dlq: 'edu.events.dlq',
    properties: raw.properties,
    headers: raw.headers,
    received_at: new Date(),
  };

  it("reads as the whole body does: its size and sha256 the whole's, its envelope from the part", () => {
    const whole = readRow({ ...row, body, prepared });
    const part = readRow({ ...row, body: body.subarray(0, 64 * 1024), body_size: body.length, prepared });
    expect(part).toMatchObject({ bodySize: body.length, bodySha256: raw.bodySha256, eventId, eventType: 'user.created', unreadable: null });
    expect({ ...part, body: null }).toEqual({ ...whole, body: null });
  });

  it('without the sha256 of the whole (a row from before it was kept): unreadable, never a wrong hash', () => {
    const noSha = JSON.stringify({ ...JSON.parse(prepared), bodySha256: undefined });
    const part = readRow({ ...row, body: body.subarray(0, 64 * 1024), body_size: body.length, prepared: noSha });
    expect(part.unreadable).toBe('a body read in part without the sha256 of the whole');
  });
});

// prepareDeadLetter never throws, whatever the body and headers: what it cannot read comes back
// marked `unreadable` (and is parked by the drain), everything else prepared as usual.
import fc from 'fast-check';
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';

function message(content: Buffer, headers: unknown, properties: Record<string, unknown> = {}): ConsumeMessage {
  return {
    content,
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'rk', consumerTag: 'c' },
    properties: { headers, ...properties },
  } as unknown as ConsumeMessage;
}

function deep(n: number, kind: 'object' | 'array'): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}

const jsonSafe = (d: ReturnType<typeof prepareDeadLetter>) => {
  JSON.parse(d.headers);
  JSON.parse(d.properties);
  JSON.parse(d.violations);
};

/** Any value amqplib (or a careless caller) could hand over as a header. */
const headerValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme-composite' }),
    fc.constantFrom('\u0000', '\ud800', '\udfff', 'a\u0000b', '$bytes', '__proto__', '', '\uffff'),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.uint8Array().map((a) => Buffer.from(a)),
    fc.date({ noInvalidDate: false }),
    fc.record({
      '!': fc.constantFrom('timestamp', 'decimal', 'long', 'double', 'weird'),
      value: fc.oneof(fc.double(), fc.string(), fc.bigInt(), fc.constant(null)),
    }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const xDeath = fc.array(
  fc.record(
    {
      queue: headerValue,
      reason: headerValue,
      count: headerValue,
      exchange: headerValue,
      'routing-keys': headerValue,
      time: fc.oneof(
        headerValue,
        fc.record({ '!': fc.constant('timestamp'), value: fc.oneof(fc.double(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })) }),
      ),
    },
    { requiredKeys: [] },
  ),
  { maxLength: 3 },
);

describe('prepareDeadLetter', () => {
  it('never throws for random headers, properties and bodies', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.dictionary(fc.string(), headerValue, { maxKeys: 6 }),
        fc.option(xDeath),
        fc.dictionary(fc.constantFrom('messageId', 'contentType', 'type', 'correlationId', 'timestamp', 'appId'), headerValue, { maxKeys: 4 }),
        (body, headers, deaths, properties) => {
          const h: Record<string, unknown> = { ...headers };
          if (deaths) h['x-death'] = deaths;
          const d = prepareDeadLetter(message(Buffer.from(body), h, properties));
          expect(d.fingerprint).toMatch(/^[0-9a-f]{64}/);
          expect(d.body.length).toBe(body.length);
          jsonSafe(d);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws for bodies of JSON: 10,000 levels deep, huge numbers, NUL, lone surrogates, invalid UTF-8', () => {
    const bodies = [
      '['.repeat(10_000) + ']'.repeat(10_000),
      '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
      `{"eventId":"x","eventType":"user.created","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      '{"n":1e400,"m":-1e400,"big":123456789012345678901234567890}',
      '{"eventId":"a\\u0000b","eventType":"\\u0000"}',
      '{"eventId":"\\ud800","eventType":"\\udfff","\\ud800":1}',
    ].map((s) => Buffer.from(s));
    bodies.push(Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from([0x7b, 0x22, 0x80, 0x22, 0x3a, 0x31, 0x7d]));
    for (const body of bodies) {
      const d = prepareDeadLetter(message(body, {}, { contentType: 'application/json' }));
      expect(d.unreadable).toBeNull();
      expect(d.body.equals(body)).toBe(true);
      jsonSafe(d);
    }
  });

  it('never throws for headers nested 10,000 deep, cut at a bound instead', () => {
    for (const kind of ['object', 'array'] as const) {
      const d = prepareDeadLetter(message(Buffer.from('{}'), { h: deep(10_000, kind) }));
      expect(d.unreadable).toBeNull();
      expect(d.headers).toContain('$truncated');
      jsonSafe(d);
    }
  });

  it('marks a message it cannot read as unreadable instead of throwing, keeping its bytes', () => {
    const body = Buffer.from('bytes kept');
    // an AMQP timestamp past what a Date holds: the x-death time cannot be read
    const d = prepareDeadLetter(message(body, { 'x-death': [{ queue: 'q1', time: { '!': 'timestamp', value: 9e15 } }] }));
    expect(d.unreadable).toMatch(/RangeError/);
    expect(d.body.equals(body)).toBe(true);
    expect(d.queue).toBe('q1');
    expect(d.eventKey).toBe(`unreadable:${d.fingerprint}`);
    // headers that are not even an object, and a missing content
    const odd = prepareDeadLetter({ fields: {}, properties: { headers: 42 } } as unknown as ConsumeMessage);
    expect(odd.body.length).toBe(0);
  });
});

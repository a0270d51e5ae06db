// fast-check arbitraries for what a DLQ can hand the drain: any header value amqplib (or a careless
// caller) could produce, x-death entries made of them, and bodies. Shared by the prepare property test
// (tests/unit/prepare-never-throws.test.ts), the reading of raw inbox rows (tests/unit/read-inbox-row.test.ts)
// and the derivation's (tests/integration/derive-any-message.test.ts).
import fc from 'fast-check';

/** Any value amqplib (or a careless caller) could hand over as a header. */
export const headerValue = fc.letrec((tie) => ({
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

export const xDeath = fc.array(
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

/** A dead letter's body: any bytes, or an event envelope whose fields are any header value. */
export const deadLetterBody = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
  fc
    .record({
      eventId: headerValue,
      eventType: fc.oneof(headerValue, fc.constantFrom('user.created', 'order.created')),
      version: headerValue,
      data: headerValue,
    })
    .map((e) => Buffer.from(JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '')),
);

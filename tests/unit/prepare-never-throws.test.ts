// prepareDeadLetter never throws, whatever the body and headers: what it cannot read comes back
// marked `unreadable` (and is parked by the drain), everything else prepared as usual.
import fc from 'fast-check';
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { headerValue, xDeath } from '../helpers/amqp-arbitraries';

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
    // a header value no code path expected: reading it throws
    const headers = { 'x-death': [{ queue: 'q1' }] };
    Object.defineProperty(headers, 'x-odd', {
      enumerable: true,
      get() {
        throw new RangeError('not readable');
      },
    });
    const d = prepareDeadLetter(message(body, headers));
    expect(d.unreadable).toMatch(/RangeError/);
    expect(d.body.equals(body)).toBe(true);
    expect(d.queue).toBe('q1');
    expect(d.eventKey).toBe(`unreadable:${d.fingerprint}`);
    // headers that are not even an object, and a missing content
    const odd = prepareDeadLetter({ fields: {}, properties: { headers: 42 } } as unknown as ConsumeMessage);
    expect(odd.body.length).toBe(0);
  });

  it('reads x-death values past what a record can hold: times outside 1970..9999, counts past int, NUL in names', () => {
    const receivedAt = new Date('2026-12-06T06:00:00Z');
    for (const time of [9e15, Number.MAX_SAFE_INTEGER, 253402387200 /* year 10000 */, -200000000000 /* 4369 BC */, -1]) {
      const d = prepareDeadLetter(message(Buffer.from('{}'), { 'x-death': [{ queue: 'q1', count: 1, time: { '!': 'timestamp', value: time } }] }), receivedAt);
      expect(d.unreadable, String(time)).toBeNull();
      expect(d.failedAt).toEqual(receivedAt);
      expect(d.deaths[0].time).toBeNull();
    }
    // a death time more than a day ahead of the drain's clock is not believed either; an hour ahead is
    const ahead = (hours: number) => ({ '!': 'timestamp', value: receivedAt.getTime() / 1000 + hours * 3600 });
    expect(prepareDeadLetter(message(Buffer.from('{}'), { 'x-death': [{ queue: 'q1', time: ahead(48) }] }), receivedAt).failedAt).toEqual(receivedAt);
    expect(prepareDeadLetter(message(Buffer.from('{}'), { 'x-death': [{ queue: 'q1', time: ahead(1) }] }), receivedAt).failedAt.getTime()).toBe(
      receivedAt.getTime() + 3600_000,
    );

    for (const count of [1e300, 2 ** 53, -5, 1.5]) {
      const d = prepareDeadLetter(message(Buffer.from('{}'), { 'x-death': [{ queue: 'q1', count }] }));
      expect(d.deathCount, String(count)).toBeGreaterThanOrEqual(0);
      expect(d.deathCount).toBeLessThanOrEqual(2 ** 31 - 1);
      expect(Number.isInteger(d.deathCount)).toBe(true);
    }

    const d = prepareDeadLetter(
      message(Buffer.from('{}'), {
        'x-death': [{ queue: 'q\u0000ueue', reason: 're\u0000jected', exchange: 'ex\ud800', 'routing-keys': ['rk\u0000'], count: 1 }],
      }),
    );
    expect(d.unreadable).toBeNull();
    expect(d.queue).toBe('q\uFFFDueue');
    // what goes into jsonb: no NUL, no lone surrogate
    const deaths = JSON.stringify(d.deaths);
    expect(deaths).not.toMatch(/\\u0000|\\ud800/);
    expect(d.deaths[0]).toMatchObject({ queue: 'q\uFFFDueue', reason: 're\uFFFDjected', exchange: 'ex\uFFFD', routingKeys: ['rk\uFFFD'] });
  });
});

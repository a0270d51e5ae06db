// validateBody: raw message bytes, including the poison the DLQ really receives.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { currentContract } from '@/lib/events/registry';
import { scanEnvelope } from '@/lib/events/scan-envelope';
import { ENVELOPE_PREFIX_BYTES, holdsMoreValuesThan, MAX_CHECKED_VALUES, MAX_PARSED_VALUES, validateBody } from '@/lib/events/validate';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Whether JSON.parse takes the text. */
const parses = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

describe('validateBody', () => {
  it('parses and validates a JSON body', () => {
    const event = currentContract('course.created')!.example;
    const r = validateBody(bytes(JSON.stringify(event)), 'application/json');
    expect(r.status).toBe('valid');
    expect(r.eventId).toBe(event.eventId);
  });

  it('refuses the nil UUID as an event id and control characters in ids, sources and names; takes an upper-case UUID', () => {
    const event = currentContract('user.created')!.example as { eventId: string; data: Record<string, unknown> };
    const check = (e: unknown) => validateBody(bytes(JSON.stringify(e)));
    expect(check({ ...event, eventId: '00000000-0000-0000-0000-000000000000' })).toMatchObject({
      status: 'invalid',
      violations: [{ path: '$.eventId', message: 'must not be the nil UUID' }],
    });
    expect(check({ ...event, eventId: 'ffffffff-ffff-ffff-ffff-ffffffffffff' })).toMatchObject({
      status: 'invalid',
      violations: [{ path: '$.eventId', message: 'must not be the max UUID' }],
    });
    expect(check({ ...event, eventId: event.eventId.toUpperCase() }).status).toBe('valid');
    // a source is a name a program gives: as long as it likes, but no tab or line break either
    expect(check({ ...event, source: 's'.repeat(5000) }).status).toBe('valid');
    expect(check({ ...event, source: 'user\tservice' }).violations.map((v) => v.message)).toEqual(['must not hold control characters']);
    const controlled = [
      { ...event, source: '\u0001' },
      { ...event, source: 'user-service\u0000' },
      { ...event, data: { ...event.data, userId: 'user\u0000123' } },
      { ...event, data: { ...event.data, userId: '\u009b' } },
      { ...event, data: { ...event.data, name: { first: '\u0007', last: 'Doe' } } },
    ];
    for (const e of controlled) {
      const r = check(e);
      expect(r.status).toBe('invalid');
      expect(r.violations.map((v) => v.message)).toEqual(['must not hold control characters']);
    }
    // a tab or a line break inside a name a person wrote is text
    expect(check({ ...event, data: { ...event.data, name: { first: 'Mary\tAnn', last: 'Doe\nSmith' } } }).status).toBe('valid');
  });

  it('checks no body of more than MAX_CHECKED_VALUES values against its contract, but still reads its envelope', () => {
    const event = currentContract('order.created')!.example as { eventId: string; data: Record<string, unknown> };
    // 9,000,000 elements (18 MB) took the derivation out of memory: one zod issue each
    for (const n of [MAX_CHECKED_VALUES + 1, 9_000_000]) {
      const r = validateBody(bytes(JSON.stringify({ ...event, data: { ...event.data, courseIds: Array(n).fill(0) } })));
      expect(r).toMatchObject({ status: 'invalid', eventId: event.eventId, eventType: 'order.created', version: '1.0' });
      expect(r.violations).toEqual([{ path: '$', message: `not checked against the contract: holds more than ${MAX_CHECKED_VALUES} values` }]);
    }
    // under the limit it is checked, and reports at most 1,000 violations
    const checked = validateBody(bytes(JSON.stringify({ ...event, data: { ...event.data, courseIds: Array(5000).fill(0) } })));
    expect(checked.violations).toHaveLength(1000);
    expect(checked.violations[0].path).toBe('$.data.courseIds[0]');
  });

  it('never parses a body of more than MAX_PARSED_VALUES values whole: its envelope is read in one pass', () => {
    // 100 MB of `{},` took JSON.parse 56 s and 3.4 GB on the server's event loop (an adversarial probe)
    const event = currentContract('order.created')!.example as { eventId: string; data: Record<string, unknown> };
    const big = JSON.stringify({ ...event, data: { ...event.data, courseIds: Array(3_000_000).fill({}) } });
    const array = `[${'{},'.repeat(3_000_000)}{}]`;
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(validateBody(bytes(big))).toMatchObject({
        status: 'invalid',
        eventId: event.eventId,
        eventType: 'order.created',
        version: '1.0',
        violations: [{ path: '$', message: `not checked against the contract: holds more than ${MAX_CHECKED_VALUES} values` }],
      });
      expect(validateBody(bytes(array))).toMatchObject({
        status: 'invalid',
        violations: [{ path: '$', message: 'must be a JSON object (an event envelope)' }],
      });
      expect(validateBody(bytes(`{"eventType":"order.created","data":[${'{},'.repeat(MAX_PARSED_VALUES)}`)).status).toBe('unparseable');
      // text that is not JSON stays unparseable however many commas it has (a CSV, a log)
      expect(validateBody(bytes('a,b,c\n'.repeat(60_000))).status).toBe('unparseable');
      expect(parse.mock.calls.filter(([text]) => String(text).length > 1000)).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  it('scanEnvelope tells JSON from not JSON as JSON.parse does, on any text (property)', () => {
    // valid JSON, and JSON with one character dropped, doubled or inserted
    const texts = fc.oneof(
      fc.json(),
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', ':', '"', '{', '}', '[', ']', '\\', ' ', 'e', '-', '0', 'x', '\u0001')).map(([t, at, c]) => {
        const k = at % (t.length + 1);
        return t.slice(0, k) + c + t.slice(k + (c === '' ? 1 : 0));
      }),
      fc.string(),
    );
    fc.assert(
      fc.property(texts, (t) => {
        expect(scanEnvelope(t).json).toBe(parses(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('scanEnvelope reads the string members of the top level and of its metadata, the last of a key winning (property)', () => {
    const member = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.dictionary(fc.string(), fc.string()));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), member), fc.boolean(), (obj, spaced) => {
        const scan = scanEnvelope(JSON.stringify(obj, null, spaced ? 2 : 0));
        const strings = Object.fromEntries(Object.entries(obj).filter(([, v]) => typeof v === 'string'));
        expect(scan.json && scan.object && { ...scan.members }).toEqual(strings);
      }),
    );
    // JSON.parse keeps a key's last value: a later non-string eventId leaves none
    expect(scanEnvelope('{"eventId":"a","eventId":123,"eventType":"x","eventType":"order.created"}')).toMatchObject({
      json: true,
      object: true,
      members: { eventType: 'order.created' },
    });
    const withMeta = scanEnvelope('{"metadata":{"correlationId":"c-1","n":[{"correlationId":"deep"}]},"eventId":"e"}');
    expect(withMeta).toMatchObject({ json: true, object: true, members: { eventId: 'e' }, metadata: { correlationId: 'c-1' } });
    expect(scanEnvelope('[1,2]')).toEqual({ json: true, object: false });
    for (const bad of ['{"a":1} garbage', '{"x":[}', '{"x": hello}', '{"a":1,}', '{}{}', 'a,b,c']) expect(scanEnvelope(bad).json, bad).toBe(false);
  });

  it('scanEnvelope of a prefix: never an error where the text only stops, the members read so far (property)', () => {
    const texts = fc.oneof(
      fc.json(),
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom(',', ':', '"', '{', '}', ']', '\\', 'x', '\u0001')).map(([t, at, c]) => {
        const k = at % (t.length + 1);
        return t.slice(0, k) + c + t.slice(k);
      }),
    );
    fc.assert(
      fc.property(texts, fc.nat(), (t, at) => {
        const scan = scanEnvelope(t.slice(0, at % (t.length + 1)), { prefix: true });
        // an error in a prefix is an error in every text it begins
        if (!scan.json) expect(parses(t)).toBe(false);
        // and one read to its end is JSON
        if (scan.json && scan.object && scan.complete) expect(parses(t.slice(0, at % (t.length + 1)))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    const member = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string()),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), member), fc.nat(), (obj, at) => {
        const text = JSON.stringify(obj);
        const end = at % (text.length + 1);
        const scan = scanEnvelope(text.slice(0, end), { prefix: true });
        expect(scan.json).toBe(true);
        if (!scan.json || !scan.object) return;
        // each member read is the object's own, whole; the scan is complete only at the end
        for (const [k, v] of Object.entries(scan.members)) expect(obj[k]).toBe(v);
        expect(scan.complete).toBe(end === text.length);
      }),
      { numRuns: 3000 },
    );
    for (const cut of [
      '{"eventId":"a","n":-',
      '{"eventId":"a","n":1.',
      '{"eventId":"a","n":2e+',
      '{"eventId":"a","n":tr',
      '{"eventId":"a","s":"x\\u00',
      '{"eventId":"a","s":"x\\',
    ])
      expect(scanEnvelope(cut, { prefix: true }), cut).toEqual({ json: true, object: true, members: { eventId: 'a' }, metadata: null, complete: false });
    // a long number cut after its point or exponent is fine so far; a tail no digit makes a number is not
    expect(scanEnvelope(`{"eventId":"a","n":${'9'.repeat(100)}.`, { prefix: true })).toMatchObject({ json: true, members: { eventId: 'a' } });
    expect(scanEnvelope(`{"n":-${'9'.repeat(100)}e+`, { prefix: true }).json).toBe(true);
    // white space alone: nothing begun yet (members to come), never "not an object"
    expect(scanEnvelope(' \n\t ', { prefix: true })).toEqual({ json: true, object: true, members: {}, metadata: null, complete: false });
    for (const bad of [
      '{"a":1,}',
      '{"x": hello',
      '{"a":"\\q',
      '{"a":"\\u00g',
      '{"a":1}}',
      '{"a":e',
      '{"a":+1',
      '{"a":.5',
      '{"a":01',
      '{"a":1-',
      '{"a":1e5e',
      '{"a":1.2.',
    ])
      expect(scanEnvelope(bad, { prefix: true }).json, bad).toBe(false);
  });

  it('reads a body over its limit by its envelope only, whole or given as its beginning with its size', () => {
    const event = currentContract('order.created')!.example;
    const body = bytes(JSON.stringify({ ...event, data: { ...(event.data as object), note: 'é'.repeat(300_000) } }));
    const limit = { maxBytes: 100_000 };
    const expected = {
      status: 'invalid',
      eventId: event.eventId,
      eventType: 'order.created',
      version: event.version,
      violations: [
        { path: '$', message: 'not checked against the contract: the body is 0.6 MB, over the 0.1 MB read in full (its envelope read from its first 64 KB)' },
      ],
    };
    expect(validateBody(body, undefined, limit)).toEqual(expected);
    // the derivation fetches only the beginning of such a body (cut inside a character here)
    expect(validateBody(body.subarray(0, ENVELOPE_PREFIX_BYTES + 1), undefined, { ...limit, size: body.length })).toEqual(expected);
    // under the limit: read whole (its note is a field the contract allows)
    expect(validateBody(body, undefined, { maxBytes: body.length }).status).toBe('valid');
    // an envelope past the beginning: no type to tell, not a missing one
    const late = bytes(`{"data":"${'x'.repeat(200_000)}","eventType":"order.created"}`);
    expect(validateBody(late, undefined, limit).violations).toEqual([
      { path: '$', message: expect.stringMatching(/^not checked against the contract: the body is .*; no eventType there$/) },
    ]);
    // what the beginning shows is still reported: binary, not JSON
    expect(validateBody(new Uint8Array(200_000).fill(0xff), undefined, limit).status).toBe('unparseable');
    expect(validateBody(bytes(`{"eventId": x${' '.repeat(200_000)}}`), undefined, limit)).toMatchObject({ status: 'unparseable' });
  });

  it('counts values at any depth, and stops counting past the limit', () => {
    expect(holdsMoreValuesThan({ a: [1, 2, { b: [3, 4] }] }, 6)).toBe(true);
    expect(holdsMoreValuesThan({ a: [1, 2, { b: [3, 4] }] }, 7)).toBe(false);
    expect(holdsMoreValuesThan('text', 0)).toBe(false);
  });

  it('keeps ids of a parseable but invalid body', () => {
    const event: Record<string, unknown> = { ...currentContract('course.created')!.example, data: {} };
    const r = validateBody(bytes(JSON.stringify(event)));
    expect(r.status).toBe('invalid');
    expect(r.eventId).toBe(event.eventId);
    expect(r.eventType).toBe('course.created');
    expect(r.version).toBe('1.0');
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['binary', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00])],
    ['invalid UTF-8 in a JSON-looking body', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
    ['non-JSON text', bytes('ERROR: upstream timed out')],
    ['truncated JSON', bytes('{"eventId": "3f1c2a9e-7b4d-4e21-9a6b-0c8d5e2f1a10", "eventType": "user.cr')],
    ['XML', bytes('<event><type>user.created</type></event>')],
  ])('reports %s as unparseable at $', (_label, body) => {
    const r = validateBody(body, 'application/octet-stream');
    expect(r.status).toBe('unparseable');
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0].path).toBe('$');
    expect(r.eventId).toBeUndefined();
  });

  it('treats JSON that is not an object as invalid, not unparseable', () => {
    expect(validateBody(bytes('42')).status).toBe('invalid');
    expect(validateBody(bytes('"user.created"')).status).toBe('invalid');
    expect(validateBody(bytes('null')).status).toBe('invalid');
  });

  it('accepts a UTF-8 byte order mark and non-ASCII text', () => {
    const event = structuredClone(currentContract('review.created')!.example);
    (event.data as Record<string, unknown>).comment = 'Très bien 👍 — 很好';
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(JSON.stringify(event))]);
    expect(validateBody(body).status).toBe('valid');
  });

  it('decodes subarrays (Buffer slices) correctly', () => {
    const event = currentContract('order.completed')!.example;
    const framed = bytes(`xxxx${JSON.stringify(event)}yyyy`);
    expect(validateBody(framed.subarray(4, framed.length - 4)).status).toBe('valid');
  });
});

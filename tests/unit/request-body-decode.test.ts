// decodeJsonBody's checks before and after JSON.parse (lib/api/parse.ts): NUL characters and lone
// surrogates are found wherever they are, the text pre-check never misses one, and bodies too
// deep or with too many values are refused before they are parsed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/errors';
import { decodeJsonBody, findBadString, mayHoldBadString } from '@/lib/api/parse';
import { MAX_REQUEST_JSON_VALUES } from '@/lib/cap-depth';
import { badCharacter } from '@/lib/schemas/safe-input';

/** Every string of a value (keys too), the slow obvious way. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v === null || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.flatMap(strings);
  return Object.entries(v).flatMap(([k, c]) => [k, ...strings(c)]);
}

// strings with NUL, lone surrogates, paired surrogates and backslashes among ordinary text
const tricky = fc.oneof(
  fc.string(),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d\ude00', '\\u0000', '\\', 'u0000', 'a\ud800b'),
  fc.string({ unit: fc.constantFrom('a', '\u0000', '\ud800', '\udc00', '\\', '"', 'é') }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    tricky,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(tricky, tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('request body decoding', () => {
  it('finds a bad string exactly when there is one, and the text pre-check never misses it', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bad = strings(v).some((s) => badCharacter(s) !== null);
        expect(findBadString(v) !== null).toBe(bad);
        if (bad) expect(mayHoldBadString(JSON.stringify(v))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the path of the string it found', () => {
    expect(findBadString({ a: [1, { b: 'x\u0000' }] })).toEqual({ field: 'a.1.b', message: 'must not contain NUL characters' });
    expect(findBadString({ a: { 'k\ud800': 1 } })).toEqual({ field: 'a', message: 'a property name must not contain lone surrogates (invalid Unicode)' });
    expect(findBadString('\udc00')).toEqual({ field: '(root)', message: 'must not contain lone surrogates (invalid Unicode)' });
    const err = (() => {
      try {
        decodeJsonBody(Buffer.from('{"a":{"b":["ok","\\u0000"]}}'));
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect(err!.details).toEqual([{ field: 'a.b.1', message: 'must not contain NUL characters' }]);
  });

  it('takes an escaped backslash before "u0000" as the text it is', () => {
    expect(decodeJsonBody(Buffer.from('{"a":"\\\\u0000"}'))).toEqual({ a: '\\u0000' });
  });

  it('refuses a body with more values than MAX_REQUEST_JSON_VALUES before parsing it, and takes one at the limit', () => {
    const at = `[${Array(MAX_REQUEST_JSON_VALUES - 1)
      .fill('0')
      .join(',')}]`;
    expect((decodeJsonBody(Buffer.from(at)) as unknown[]).length).toBe(MAX_REQUEST_JSON_VALUES - 1);
    const over = `{"a":[${Array(MAX_REQUEST_JSON_VALUES).fill('0').join(',')}]}`;
    expect(() => decodeJsonBody(Buffer.from(over))).toThrow(`Body holds more than ${MAX_REQUEST_JSON_VALUES} values`);
    // commas inside strings are no values
    expect(decodeJsonBody(Buffer.from(JSON.stringify({ s: ','.repeat(MAX_REQUEST_JSON_VALUES * 2) })))).toEqual({
      s: ','.repeat(MAX_REQUEST_JSON_VALUES * 2),
    });
  });
});

// prettyJson: JSON.stringify(value, null, 2), stopped once the text passes its bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prettyJson } from '@/lib/diff/pretty-json';

/** [[[...[0, 0, ...]...]]]: `depth` levels around `width` zeros */
function deep(depth: number, width: number): unknown {
  let v: unknown = Array(width).fill(0);
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('prettyJson', () => {
  it('prints what JSON.stringify(value, null, 2) prints, for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(prettyJson(v, Infinity)).toBe(JSON.stringify(v, null, 2));
      }),
      { numRuns: 300 },
    );
    expect(prettyJson({ a: [], b: {}, c: [1, { d: 'x"y' }], '\u2028k': -0 }, Infinity)).toBe(
      JSON.stringify({ a: [], b: {}, c: [1, { d: 'x"y' }], '\u2028k': -0 }, null, 2),
    );
  });

  it('stops at its bound: a result of 900 KB nested 250 deep (232 M characters pretty-printed) gives null at once', () => {
    const value = deep(250, 130_000);
    expect(JSON.stringify(value).length).toBeGreaterThan(250_000);
    expect(prettyJson(value, 256 * 1024)).toBeNull();
    expect(prettyJson([1, 2], 12)).toBe('[\n  1,\n  2\n]');
    expect(prettyJson([1, 2], 11)).toBeNull();
  });

  it('gives null past its depth', () => {
    expect(prettyJson(deep(20, 1), Infinity, 10)).toBeNull();
    expect(prettyJson(deep(10, 1), Infinity, 10)).toBe(JSON.stringify(deep(10, 1), null, 2));
  });
});

// Contract violations at JSON paths -> text ranges the editor underlines.
import { describe, expect, it } from 'vitest';
import { jsonPositions, rangeForPath } from '@/components/editor/json-positions';

const text = '{\n  "eventId": "x",\n  "data": {\n    "email": "nope",\n    "tags": [1, "two"],\n    "odd key": true\n  }\n}';
const at = (path: string) => {
  const r = rangeForPath(jsonPositions(text), path);
  return text.slice(r.from, r.to);
};

describe('rangeForPath', () => {
  it('finds values by path', () => {
    expect(at('$.data.email')).toBe('"nope"');
    expect(at('$.data.tags[1]')).toBe('"two"');
    expect(at('$["data"]["odd key"]')).toBe('true');
    expect(at('$.eventId')).toBe('"x"');
  });

  it('marks the nearest existing member for a missing one', () => {
    expect(at('$.data.firstName')).toBe('"data"');
    expect(at('$.source')).toBe('{');
  });

  it('survives a broken document', () => {
    const broken = '{"a": {"b": 1,';
    expect(() => rangeForPath(jsonPositions(broken), '$.a.b')).not.toThrow();
  });
});

describe('jsonPositions on the lang-json syntax tree', () => {
  it('places every member and element of a document, keys included', () => {
    const doc = '{"a": [1, {"b": null}], "c": "d\\"e", "": false}';
    const positions = jsonPositions(doc);
    const slice = (key: string) => {
      const n = positions.get(key)!;
      return doc.slice(n.value.from, n.value.to);
    };
    expect(slice('[]')).toBe(doc);
    expect(slice('["a"]')).toBe('[1, {"b": null}]');
    expect(slice('["a","0"]')).toBe('1');
    expect(slice('["a","1","b"]')).toBe('null');
    expect(slice('["c"]')).toBe('"d\\"e"');
    expect(slice('[""]')).toBe('false');
    const key = positions.get('["c"]')!.key!;
    expect(doc.slice(key.from, key.to)).toBe('"c"');
  });

  it('a 10,000-deep document: no stack overflow, positions down to the depth cap', () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const positions = jsonPositions(deep);
    expect(positions.size).toBeGreaterThan(200);
    expect(positions.size).toBeLessThanOrEqual(300);
    const r = rangeForPath(positions, '$' + '.a'.repeat(9_000));
    expect(deep.slice(r.from, r.from + 1)).toBe('"'); // the deepest key it kept
  });

  it('keeps what precedes a syntax error', () => {
    const positions = jsonPositions('{"a": 1, "b": [true, ');
    expect(positions.get('["a"]')).toEqual({ value: { from: 6, to: 7 }, key: { from: 1, to: 4 } });
  });
});

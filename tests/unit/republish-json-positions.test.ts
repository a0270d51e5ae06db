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

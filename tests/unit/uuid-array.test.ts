// uuid[] literals built in one join (lib/db/uuid-array.ts).
import { describe, expect, it } from 'vitest';
import { uuidArray } from '@/lib/db/uuid-array';

describe('uuidArray', () => {
  it('joins uuids into an array literal', () => {
    expect(uuidArray([])).toBe('{}');
    expect(uuidArray(['0f10d7a2-c796-4de8-98cb-b44d35af2423', 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE'])).toBe(
      '{0f10d7a2-c796-4de8-98cb-b44d35af2423,AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE}',
    );
  });

  it('refuses whatever could change the literal: quotes, braces, backslashes, spaces, empty elements, two ids in one', () => {
    const twoInOne = '0f10d7a2-c796-4de8-98cb-b44d35af2423,0f10d7a2-c796-4de8-98cb-b44d35af2424';
    // (an id of hex, dashes and commas in 36 characters gets through as two elements that
    // PostgreSQL refuses as uuids: not two uuids, and nothing else)
    for (const bad of ['{}', '"x"', 'a\\b', 'a b', '', 'NULL', twoInOne]) {
      expect(() => uuidArray(['0f10d7a2-c796-4de8-98cb-b44d35af2423', bad])).toThrow(/not a list of uuids/);
    }
  });
});

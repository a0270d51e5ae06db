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

  it('refuses anything that is not a uuid, so nothing else can enter the literal', () => {
    expect(() => uuidArray(['0f10d7a2-c796-4de8-98cb-b44d35af2423,0f10d7a2-c796-4de8-98cb-b44d35af2424'])).toThrow(/not a uuid/);
    expect(() => uuidArray(['{}'])).toThrow(/not a uuid/);
    expect(() => uuidArray([''])).toThrow(/not a uuid/);
  });
});

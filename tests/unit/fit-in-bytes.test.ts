// fitInBytes: how many first items a batch bounded by bytes takes (bulk batches, preview reads).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitInBytes } from '@/lib/fit-in-bytes';

describe('fitInBytes', () => {
  it('takes the longest run of first items within the bytes, at least one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100)), fc.nat(300), (sizes, max) => {
        const n = fitInBytes(sizes, max);
        const sum = (k: number) => sizes.slice(0, k).reduce((a, b) => a + b, 0);
        if (!sizes.length) {
          expect(n).toBe(0);
          return;
        }
        expect(n).toBeGreaterThanOrEqual(1);
        if (n > 1) expect(sum(n)).toBeLessThanOrEqual(max);
        if (n < sizes.length) expect(sum(n + 1)).toBeGreaterThan(max);
      }),
    );
    expect(fitInBytes([50, 1], 10)).toBe(1);
    expect(fitInBytes([5, 5, 1], 10)).toBe(2);
  });
});

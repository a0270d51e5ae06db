// Batch sizes of a bulk job at an unlimited rate: small while the pipeline fills, full in the
// middle, halving toward the end (lib/jobs/bulk-runner.ts).
import { describe, expect, it } from 'vitest';
import { unlimitedBatchSize } from '@/lib/jobs/bulk-runner';

function plan(max: number, items: number): number[] {
  const sizes: number[] = [];
  let previous: number | null = null;
  for (let left = items; left > 0;) {
    const size = unlimitedBatchSize(max, previous, left);
    sizes.push(Math.min(size, left)); // the last read returns what is left
    left -= size;
    previous = size;
  }
  return sizes;
}

describe('unlimitedBatchSize', () => {
  it('starts at an eighth of the full size and doubles up to it', () => {
    expect(plan(5000, 50_000).slice(0, 5)).toEqual([625, 1250, 2500, 5000, 5000]);
  });

  it('takes half of what is left near the end, never less than the first size', () => {
    const sizes = plan(5000, 50_000);
    expect(sizes).toEqual([625, 1250, 2500, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 2813, 1406, 703, 625, 78]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50_000);
  });

  it('runs a small job in batches of the first size', () => {
    expect(plan(5000, 1000)).toEqual([625, 375]);
    expect(plan(8, 3)).toEqual([1, 1, 1]);
  });

  it('never asks for less than one item', () => {
    expect(unlimitedBatchSize(1, null, 0)).toBe(1);
    expect(unlimitedBatchSize(5000, 5000, -40)).toBe(625);
  });
});

// The derivation's batch size after each batch (lib/bus/deriver.ts nextDeriveSize): halved while
// batches run out of time or memory, so one that always would cannot stop the derivation, and
// doubled back after each batch that goes through.
import { describe, expect, it } from 'vitest';
import { MIN_DERIVE_BATCH, nextDeriveSize } from '@/lib/bus/deriver';

const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
const outOfMemory = Object.assign(new Error('out of memory'), { code: '53200' });
const readTimeout = new Error('Query read timeout');
const dropped = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('nextDeriveSize', () => {
  it('halves on a timeout or out of memory, down to the floor, and climbs back after successes', () => {
    const sizes = [5000];
    for (const err of [timeout, timeout, outOfMemory, readTimeout, timeout, timeout, timeout, timeout, timeout])
      sizes.push(nextDeriveSize(sizes.at(-1)!, 5000, err));
    expect(sizes).toEqual([5000, 2500, 1250, 625, 312, 156, 100, 100, 100, 100]);
    const up = [100];
    for (let i = 0; i < 7; i++) up.push(nextDeriveSize(up.at(-1)!, 5000, null));
    expect(up).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it("keeps its size on other failures (a dropped connection is not the batch's fault)", () => {
    expect(nextDeriveSize(5000, 5000, dropped)).toBe(5000);
    expect(nextDeriveSize(5000, 5000, new Error('boom'))).toBe(5000);
  });

  it('never goes above the configured size, nor below it when that is under the floor', () => {
    expect(nextDeriveSize(40, 40, null)).toBe(40);
    expect(nextDeriveSize(40, 40, timeout)).toBe(40);
    expect(MIN_DERIVE_BATCH).toBe(100);
  });
});

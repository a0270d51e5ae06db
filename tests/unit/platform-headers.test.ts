// Retry bookkeeping in headers: a republish from the DLQ starts a new cycle.
import { describe, expect, it } from 'vitest';
import { cycleOf, isMarkedForDeadLetter, retryCountOf, truncateError } from '@/lib/platform/headers';
import { MemoryIdempotencyStore } from '@/lib/platform/idempotency';
import { HandlerTimeoutError, withTimeout } from '@/lib/platform/timeout';
import { isTraceparent, newTraceparent } from '@/lib/platform/traceparent';

describe('retry headers', () => {
  it('counts retries of the current cycle only', () => {
    expect(retryCountOf(undefined)).toBe(0);
    expect(retryCountOf({ 'x-retry-count': 2, 'x-retry-cycle': 0 })).toBe(2);
    // republished by EventDesk: the old count belongs to cycle 0
    expect(retryCountOf({ 'x-retry-count': 3, 'x-retry-cycle': 0, 'x-eventdesk-republish-count': 1 })).toBe(0);
    expect(retryCountOf({ 'x-retry-count': 1, 'x-retry-cycle': 1, 'x-eventdesk-republish-count': 1 })).toBe(1);
    expect(cycleOf({ 'x-eventdesk-republish-count': '2' })).toBe(2);
  });

  it('obeys a dead-letter mark of the current cycle only', () => {
    expect(isMarkedForDeadLetter({ 'x-platform-dead-letter': 0 })).toBe(true);
    expect(isMarkedForDeadLetter({ 'x-platform-dead-letter': 0, 'x-eventdesk-republish-count': 1 })).toBe(false);
    expect(isMarkedForDeadLetter({})).toBe(false);
  });

  it('truncates long errors', () => {
    expect(truncateError('x'.repeat(5000)).length).toBe(2001);
    expect(truncateError('short')).toBe('short');
  });
});

describe('withTimeout', () => {
  it('resolves in time, and fails past the deadline with the signal aborted', async () => {
    expect(await withTimeout(1000, () => Promise.resolve(42))).toBe(42);
    let aborted = false;
    const error = await withTimeout(20, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve(1))))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HandlerTimeoutError);
    expect(aborted).toBe(true);
  });
});

describe('MemoryIdempotencyStore', () => {
  it('claims, reports busy and done, and forgets a released claim', async () => {
    const s = new MemoryIdempotencyStore();
    expect(await s.claim('a', 'e', 1000)).toBe('claimed');
    expect(await s.claim('a', 'e', 1000)).toBe('busy');
    expect(await s.claim('b', 'e', 1000)).toBe('claimed');
    await s.release('a', 'e');
    expect(await s.claim('a', 'e', 1000)).toBe('claimed');
    await s.complete('a', 'e');
    expect(await s.claim('a', 'e', 0)).toBe('done');
  });
});

describe('traceparent', () => {
  it('makes W3C trace context', () => {
    expect(isTraceparent(newTraceparent())).toBe(true);
    expect(isTraceparent('00-abc-def-01')).toBe(false);
  });
});

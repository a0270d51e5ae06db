// At-most-once handling per (service, eventId). A handler claims the event before it runs:
// 'claimed' -> run it, then complete() or release() (on failure, so a retry can claim again);
// 'done' -> already handled, skip; 'busy' -> another delivery holds a fresh claim right now.
// A claim older than its lease (a consumer that died mid-handler) can be taken over.

export type ClaimResult = 'claimed' | 'done' | 'busy';

export interface IdempotencyStore {
  claim(service: string, eventId: string, leaseMs: number): Promise<ClaimResult>;
  complete(service: string, eventId: string): Promise<void>;
  release(service: string, eventId: string): Promise<void>;
}

/** Per process; for tests and single-instance services. Bounded: oldest entries go first. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { done: boolean; claimedAt: number }>();

  constructor(private readonly maxEntries = 1_000_000) {}

  async claim(service: string, eventId: string, leaseMs: number): Promise<ClaimResult> {
    const key = `${service}\u0000${eventId}`;
    const entry = this.entries.get(key);
    if (entry?.done) return 'done';
    if (entry && Date.now() - entry.claimedAt < leaseMs) return 'busy';
    this.entries.delete(key);
    this.entries.set(key, { done: false, claimedAt: Date.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return 'claimed';
  }

  async complete(service: string, eventId: string): Promise<void> {
    this.entries.set(`${service}\u0000${eventId}`, { done: true, claimedAt: Date.now() });
  }

  async release(service: string, eventId: string): Promise<void> {
    const key = `${service}\u0000${eventId}`;
    if (!this.entries.get(key)?.done) this.entries.delete(key);
  }
}

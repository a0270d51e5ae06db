// Runs the derivation (lib/bus/derive-dead-letters.ts) in a loop: at once when kicked (after a
// drain batch commits), else every idleMs (rows stored by another process, or held back by a
// transaction that was still running). Several processes may each run one: only one derives at a
// time, the others find the watermark locked and wait for the next turn.
// The drain comes first, while the records keep up: while a drainer of this process has more dead
// letters than it can write (registered with yieldTo), the deriver rests after each batch for a
// quarter of the time the batch took (EVENTDESK_DERIVE_REST_SHARE), so it keeps 4/5 of its time,
// but only while it has derived at least half of what this process's drainers stored since it was
// last caught up (EVENTDESK_DERIVE_KEEP_UP); further behind, it rests not at all. Emptying the
// broker is what an incident needs first (a deep DLQ puts the broker's memory and disk alarms,
// which block every publisher, at risk), and the list must not fall far behind it: the two compete
// for the same CPU. bench:drain, 100,000 on this machine (the drain storing raw, the derivation
// reading): no rest 0.43 of the broker's ceiling drained, every record listed 1.46x the drain's
// time after its start; a quarter always 0.52-0.61 and 1.54-2.09x (20-39% derived while
// draining); a quarter while keeping up half 0.48-0.54 and 1.43-1.46x (44%).
import type pg from 'pg';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '@/lib/backoff';
import { cleanInbox, DERIVE_BATCH, deriveBatch } from './derive-dead-letters';
import type { InboxBatch } from './read-inbox';
import { storeErrorText } from './store-errors';
import { KickedLoop } from './kicked-loop';

/** Longest rest between two batches while the drain is busy. */
const MAX_REST_MS = 5000;
/**
 * While the drain is busy, the rest after a batch is this share of the batch's time (0.25: the
 * derivation keeps 4/5 of its time; 0: the two share the CPU as the scheduler does).
 */
const REST_SHARE = restShare(process.env.EVENTDESK_DERIVE_REST_SHARE);

function restShare(value: string | undefined): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 && n <= 4 ? n : 0.25;
}

/**
 * The rest is taken only while the derivation keeps up: it has derived at least this share of
 * what this process's drainers stored since the drain became busy (EVENTDESK_DERIVE_KEEP_UP,
 * 0..1, default 0.5). Behind that, it derives without rest, so the records listed never fall far
 * behind the broker being emptied, and follow within about half the drain's time after it.
 */
const KEEP_UP = keepUp(process.env.EVENTDESK_DERIVE_KEEP_UP);

function keepUp(value: string | undefined): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0.5;
}

export interface DeriverOptions {
  batchSize?: number;
  idleMs?: number;
  /** called after each batch that derived something (the search indexer's kick) */
  onDerived?: () => void;
}

/**
 * At a graceful stop, how long derivation batches still begin (deriveAll's `until`): the process
 * gives each service 5 s (lib/runtime/background.ts), and a batch cut off by its exit would be
 * taken by the next start for a death (lib/bus/derivation-attempts.ts).
 */
export const DERIVE_AT_STOP_MS = 2500;

/** Smallest batch the derivation shrinks to when batches run out of time or memory. */
export const MIN_DERIVE_BATCH = 100;

/**
 * The derivation's next batch size. A batch that ran past the statement timeout or out of memory
 * (57014, 53200, pg's query timeout) would fail the same way at the same size, and retried as it
 * was, the derivation would stop for everything behind it: it is halved, down to
 * MIN_DERIVE_BATCH. Each batch that goes through doubles it back towards the configured size.
 * Other failures (a dropped connection) leave it as it is.
 */
export function nextDeriveSize(current: number, full: number, failure: unknown): number {
  if (failure === null) return Math.min(full, current * 2);
  const e = failure as { code?: unknown; message?: unknown } | null;
  const tooBig = e?.code === '57014' || e?.code === '53200' || (typeof e?.message === 'string' && /^Query read timeout$/.test(e.message));
  return tooBig ? Math.max(Math.min(MIN_DERIVE_BATCH, full), Math.floor(current / 2)) : current;
}

export class Deriver extends KickedLoop {
  /** the drainers' "I have more than I can write" (yieldTo) */
  private readonly pressure = new Set<() => boolean>();
  /** last error, null once a batch goes through again (health) */
  lastError: string | null = null;
  derivedTotal = 0;
  /** rows this process's drainers stored (noteStored) */
  storedTotal = 0;
  /** rests taken after a batch while the drain was busy */
  restsTaken = 0;
  /** the totals when the deriver was last caught up (nothing left to derive) */
  private caughtUp = { stored: 0, derived: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly options: DeriverOptions = {},
  ) {
    super();
  }

  /** Registers a drainer's pressure: while it says true, the deriver rests after each batch (REST_SHARE). */
  yieldTo(busy: () => boolean): void {
    this.pressure.add(busy);
  }

  private drainBusy(): boolean {
    for (const busy of this.pressure) if (busy()) return true;
    return false;
  }

  /** A drainer of this process committed `n` new rows: derive them now. */
  noteStored(n: number): void {
    this.storedTotal += n;
    this.kick();
  }

  /**
   * After a batch: whether to rest, i.e. the drain is busy and the derivation keeps up with it
   * (it derived KEEP_UP of what was stored since it was last caught up).
   */
  private shouldRest(): boolean {
    if (!this.drainBusy()) return false;
    return this.derivedTotal - this.caughtUp.derived >= KEEP_UP * (this.storedTotal - this.caughtUp.stored);
  }

  /**
   * Derives everything derivable now (tests, graceful stop, benchmarks); false if another process
   * holds it. `until` (ms since the epoch): no batch begins after it (a stop with a time budget:
   * a batch cut off by the process's exit would be taken for a death: lib/bus/derivation-attempts.ts).
   */
  async deriveAll(until = Infinity): Promise<number> {
    let total = 0;
    let ahead: Promise<InboxBatch | null> | undefined;
    for (;;) {
      if (Date.now() >= until) {
        await ahead; // never rejects; its connection goes back before the pool ends
        return total;
      }
      const r = await deriveBatch(this.pool, this.log, this.options.batchSize ?? DERIVE_BATCH, { ahead, readAhead: true });
      ahead = r.next;
      total += r.taken;
      if (!r.ran || r.taken === 0) return total;
    }
  }

  protected async run(): Promise<void> {
    const full = this.options.batchSize ?? DERIVE_BATCH;
    let size = full;
    let failures = 0;
    // the next batch, read in Node while PostgreSQL derives the current one
    let ahead: Promise<InboxBatch | null> | undefined;
    while (!this.abort.signal.aborted) {
      this.kicked = false;
      try {
        const started = performance.now();
        const r = await deriveBatch(this.pool, this.log, size, { ahead, readAhead: true });
        ahead = r.next;
        failures = 0;
        this.lastError = null;
        size = nextDeriveSize(size, full, null);
        if (r.taken) {
          this.derivedTotal += r.taken;
          this.options.onDerived?.();
          // the drain first while the records keep up: rest for a share of the batch's time
          // (bounded), not woken by kicks
          if (this.shouldRest()) {
            this.restsTaken++;
            await sleep(Math.min((performance.now() - started) * REST_SHARE, MAX_REST_MS), this.abort.signal);
          }
          continue; // more may be waiting
        }
        // caught up: what the drain stores from now on is what the derivation owes
        if (r.ran) this.caughtUp = { stored: this.storedTotal, derived: this.derivedTotal };
      } catch (err) {
        ahead = undefined;
        this.lastError = (err as Error).message;
        size = nextDeriveSize(size, full, err);
        this.log.warn({ err: storeErrorText(err), size }, 'derivation failed; retrying');
        await sleep(backoffDelay(failures++, 200, 15_000), this.abort.signal);
        continue;
      }
      // nothing to derive: delete what was derived (a chunk at a time, yielding to new work)
      try {
        if (!this.kicked && (await cleanInbox(this.pool)) > 0) continue;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'cannot clean the derived inbox rows; retrying later');
      }
      if (!this.kicked) await this.idle(this.options.idleMs ?? 500);
    }
  }
}

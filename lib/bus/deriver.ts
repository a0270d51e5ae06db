// Runs the derivation (lib/bus/derive-dead-letters.ts) in a loop: at once when kicked (after a
// drain batch commits), else every idleMs (rows stored by another process, or held back by a
// transaction that was still running). Several processes may each run one: only one derives at a
// time, the others find the watermark locked and wait for the next turn.
import type pg from 'pg';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '@/lib/backoff';
import { cleanInbox, DERIVE_BATCH, deriveBatch } from './derive-dead-letters';
import { KickedLoop } from './kicked-loop';

export interface DeriverOptions {
  batchSize?: number;
  idleMs?: number;
  /** called after each batch that derived something (the search indexer's kick) */
  onDerived?: () => void;
}

export class Deriver extends KickedLoop {
  /** last error, null once a batch goes through again (health) */
  lastError: string | null = null;
  derivedTotal = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly options: DeriverOptions = {},
  ) {
    super();
  }

  /** Derives everything derivable now (tests, graceful stop, benchmarks); false if another process holds it. */
  async deriveAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await deriveBatch(this.pool, this.log, this.options.batchSize ?? DERIVE_BATCH);
      total += r.taken;
      if (!r.ran || r.taken === 0) return total;
    }
  }

  protected async run(): Promise<void> {
    const size = this.options.batchSize ?? DERIVE_BATCH;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      this.kicked = false;
      try {
        const r = await deriveBatch(this.pool, this.log, size);
        failures = 0;
        this.lastError = null;
        if (r.taken) {
          this.derivedTotal += r.taken;
          this.options.onDerived?.();
          continue; // more may be waiting
        }
      } catch (err) {
        this.lastError = (err as Error).message;
        this.log.warn({ err: this.lastError }, 'derivation failed; retrying');
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

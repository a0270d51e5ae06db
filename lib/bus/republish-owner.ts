// Who owns an unfinished republish intent, and whether that owner is still alive.
// Each process holds a PostgreSQL session advisory lock on its own random key for as long as
// it lives. When the process dies, its session ends and the lock goes with it, so recovery can
// tell "still publishing" from "crashed" exactly, without guessing from timestamps: it settles
// an intent only when pg_try_advisory_lock on the owner's key succeeds.
//
// One loop holds the lock: connect, lock, watch the session, and when it dies (error, end, a
// failed liveness check: whichever comes first, each only once) start over on a new client.
// Nobody waits on the loop itself: callers wait with held(ms), which answers within ms.
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { backoffDelay } from '@/lib/backoff';
import { ignoreClosing } from './ignore-closing';
import { isNamedError } from '@/lib/named-error';

/** The first half of the two-int advisory key space used by EventDesk's republish owners ('EDKR'). */
export const OWNER_LOCK_CLASS = 0x45444b52;

/** How long held() waits by default before the caller answers "unavailable". */
export const OWNER_WAIT_MS = 5000;

export class OwnerUnavailableError extends Error {
  /** by name: a copy of this class in another chunk made it (lib/named-error.ts) */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'OwnerUnavailableError');
  }

  constructor(message: string) {
    super(message);
    this.name = 'OwnerUnavailableError';
  }
}

export interface IntentOwnerOptions {
  /** how often the held session is checked with a query (a dead TCP peer sends no error) */
  checkEveryMs?: number;
}

export class IntentOwner {
  /** stored in republish_intents.owner */
  readonly id: string;
  private client: pg.Client | null = null;
  private stopped = false;
  private readonly log: Logger;
  private loop: Promise<void> | null = null;
  private waiters = new Set<() => void>();
  private lastError: string | null = null;
  /** ends the current session's watch (set while a session holds the lock) */
  private lose: ((reason: string) => void) | null = null;
  /** ends the current backoff sleep early (stop) */
  private wake: (() => void) | null = null;
  private readonly checkEveryMs: number;
  /** times the lock was taken (1 after the first start; tests read it) */
  takenCount = 0;
  /** intents this process is publishing or settling right now (see track) */
  private readonly live = new Set<string>();

  constructor(
    private readonly databaseUrl: string,
    logger?: Logger,
    options: IntentOwnerOptions = {},
  ) {
    this.id = String(randomInt(1, 2 ** 31 - 1));
    this.log = (logger ?? rootLogger).child({ component: 'republish-owner', owner: this.id });
    this.checkEveryMs = options.checkEveryMs ?? 5000;
  }

  /**
   * Marks intents as in this process's hands from their claim until they are settled. Recovery
   * leaves a live owner's intents alone, except those it no longer tracks: a claim whose commit
   * answer was lost, or a settle that failed for good, would otherwise wait until they count as
   * hung (5 minutes).
   */
  track(intentIds: Iterable<string>): void {
    for (const id of intentIds) this.live.add(id);
  }

  untrack(intentIds: Iterable<string>): void {
    for (const id of intentIds) this.live.delete(id);
  }

  isLive(intentId: string): boolean {
    return this.live.has(intentId);
  }

  /** Starts the loop (once); resolves once the lock is held, or rejects after OWNER_WAIT_MS. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.held();
  }

  get isHeld(): boolean {
    return this.client !== null;
  }

  /** Resolves while the lock is held; rejects with OwnerUnavailableError after ms. */
  held(ms = OWNER_WAIT_MS): Promise<void> {
    if (this.stopped) return Promise.reject(new OwnerUnavailableError('republish owner stopped'));
    this.loop ??= this.run();
    if (this.client) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new OwnerUnavailableError(`the republish owner lock is not held within ${ms} ms (${this.lastError ?? 'connecting to the database'})`));
      }, ms);
      this.waiters.add(done);
    });
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopped;) {
      const client = new pg.Client({
        connectionString: this.databaseUrl,
        connectionTimeoutMillis: 5000,
        query_timeout: 5000,
        keepAlive: true,
        application_name: 'eventdesk-republish-owner',
      });
      // Every way a session can end lands here; only the first counts (idempotent).
      let lostOnce = false;
      const lost = new Promise<string>((resolve) => {
        this.lose = (reason) => {
          if (lostOnce) return;
          lostOnce = true;
          resolve(reason);
        };
      });
      const lose = this.lose!;
      client.on('error', (err) => lose(err.message));
      client.on('end', () => lose('session ended'));
      try {
        await client.connect();
        // try, not wait: a key held elsewhere is our own previous session not yet gone
        const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [OWNER_LOCK_CLASS, Number(this.id)]);
        if (!rows[0]?.got) throw new Error('owner key still held by an earlier session');
        if (this.stopped) throw new Error('stopped');
      } catch (err) {
        this.lose = null;
        this.lastError = (err as Error).message;
        await client.end().catch(ignoreClosing);
        if (this.stopped) return;
        this.log.warn({ err: this.lastError }, 'cannot take the owner lock yet');
        await this.pause(backoffDelay(attempt++, 250, 5000));
        continue;
      }
      attempt = 0;
      this.client = client;
      this.lastError = null;
      this.takenCount++;
      if (this.takenCount > 1) this.log.info('owner lock taken again');
      for (const w of [...this.waiters]) w();
      const checker = setInterval(() => {
        client.query('SELECT 1').catch((err: Error) => lose(`liveness check failed: ${err.message}`));
      }, this.checkEveryMs);
      checker.unref();
      const reason = await lost;
      clearInterval(checker);
      this.client = null;
      this.lose = null;
      await client.end().catch(ignoreClosing);
      if (this.stopped) return;
      this.lastError = reason;
      this.log.warn({ err: reason }, 'owner lock session lost; taking it again');
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    const c = this.client;
    this.client = null;
    this.lose?.('stopped');
    if (c) await c.end().catch(ignoreClosing);
    await this.loop?.catch(() => {
      /* the loop logs its own failures as it goes; here we only wait for it to end */
    });
  }
}

/** Owners (ids from republish_intents.owner) whose process is gone: their lock is free. */
export async function deadOwners(client: pg.PoolClient, owners: string[], self?: string): Promise<Set<string>> {
  const dead = new Set<string>();
  for (const owner of owners) {
    if (owner === self) continue;
    const key = Number(owner);
    if (!Number.isInteger(key)) {
      dead.add(owner);
      continue;
    }
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [OWNER_LOCK_CLASS, key]);
    if (rows[0].got) {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [OWNER_LOCK_CLASS, key]);
      dead.add(owner);
    }
  }
  return dead;
}

// Who owns an unfinished republish intent, and whether that owner is still alive.
// Each process holds a PostgreSQL session advisory lock on its own random key for as long as
// it lives. When the process dies, its session ends and the lock goes with it, so recovery can
// tell "still publishing" from "crashed" exactly, without guessing from timestamps: it settles
// an intent only when pg_try_advisory_lock on the owner's key succeeds.
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { backoffDelay, sleep } from './backoff';

/** The first half of the two-int advisory key space used by EventDesk's republish owners ('EDKR'). */
export const OWNER_LOCK_CLASS = 0x45444b52;

export class IntentOwner {
  /** stored in republish_intents.owner */
  readonly id: string;
  private client: pg.Client | null = null;
  private stopped = false;
  private readonly log: Logger;
  private ready: Promise<void> | null = null;

  constructor(private readonly databaseUrl: string, logger?: Logger) {
    this.id = String(randomInt(1, 2 ** 31 - 1));
    this.log = (logger ?? rootLogger).child({ component: 'republish-owner', owner: this.id });
  }

  /** Takes the lock (retrying while the database is away); resolves once held. */
  start(): Promise<void> {
    this.ready ??= this.hold();
    return this.ready;
  }

  private async hold(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5000, application_name: 'eventdesk-republish-owner' });
      try {
        await client.connect();
        await client.query('SELECT pg_advisory_lock($1, $2)', [OWNER_LOCK_CLASS, Number(this.id)]);
        this.client = client;
        client.on('error', (err) => {
          this.log.warn({ err: err.message }, 'owner lock session lost; taking it again');
          this.client = null;
          this.ready = null;
          if (!this.stopped) void this.start();
        });
        return;
      } catch (err) {
        await client.end().catch(() => {});
        this.log.warn({ err: (err as Error).message }, 'cannot take the owner lock yet');
        await sleep(backoffDelay(attempt, 250, 10_000));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
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

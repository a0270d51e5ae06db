// A once-per-cluster duty (retention purge, republish-intent recovery): of all EventDesk processes
// on one database, exactly one runs it at a time. The holder keeps a PostgreSQL session advisory
// lock (one key per duty) on a connection of its own; when its process dies, or that session
// ends, PostgreSQL frees the lock and another process, trying every few seconds, takes it over.
// No timestamps, no lease to expire: a duty cannot be held twice, and is never orphaned for long.
//
// One loop per duty: connect, pg_try_advisory_lock, and while not held try again every retryMs;
// once held run the work now and every everyMs, and watch the session (an error, its end, a
// failed liveness query: the first one counts); when it is lost, stop the work (its signal) and
// start over on a new client. Every wait is bounded (connect 5 s, each query 5 s).
import pg from 'pg';
import type { Logger } from 'pino';
import { sleep } from '@/lib/backoff';
import { ignoreClosing } from '@/lib/bus/ignore-closing';

/** The first half of the two-int advisory key space of EventDesk's cluster duties ('EDKD'). */
export const DUTY_LOCK_CLASS = 0x45444b44;

/** The duties and their keys (the second int); a key is never reused for another duty. */
export const DUTY_KEYS = { retention: 1, 'republish-recovery': 2, 'notify-conditions': 3 } as const;
export type DutyName = keyof typeof DUTY_KEYS;

export interface ClusterDutyOptions {
  databaseUrl: string;
  name: DutyName;
  /** one pass of the work; signal aborts when the duty is lost or stopped */
  work: (signal: AbortSignal) => Promise<void>;
  /** how often the holder runs work */
  everyMs: number;
  /** how often a process that does not hold the duty tries to take it (3 s) */
  retryMs?: number;
  /** how often the holder checks its session with a query (a dead TCP peer sends no error) (5 s) */
  checkEveryMs?: number;
  /** told each time the duty is taken (true) or lost (false) */
  onChange?: (held: boolean) => void;
  logger: Logger;
}

export interface ClusterDuty {
  readonly name: DutyName;
  readonly isHeld: boolean;
  stop(): Promise<void>;
}

export function startClusterDuty(o: ClusterDutyOptions): ClusterDuty {
  const log = o.logger.child({ duty: o.name });
  const retryMs = o.retryMs ?? 3000;
  const checkEveryMs = o.checkEveryMs ?? 5000;
  const stopping = new AbortController();
  let held = false;
  let client: pg.Client | null = null;

  const run = async () => {
    while (!stopping.signal.aborted) {
      const c = new pg.Client({
        connectionString: o.databaseUrl,
        connectionTimeoutMillis: 5000,
        query_timeout: 5000,
        keepAlive: true,
        application_name: `eventdesk-duty-${o.name}`,
      });
      const lostSession = new AbortController();
      const lose = (reason: string) => {
        if (lostSession.signal.aborted) return;
        if (held) log.warn({ err: reason }, 'duty session lost');
        lostSession.abort(reason);
      };
      c.on('error', (err) => lose(err.message));
      c.on('end', () => lose('session ended'));
      client = c;
      try {
        await c.connect();
        // try on the same session until it is ours (or the session dies)
        while (!stopping.signal.aborted && !lostSession.signal.aborted) {
          const { rows } = await c.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [DUTY_LOCK_CLASS, DUTY_KEYS[o.name]]);
          if (rows[0]?.got) break;
          await sleep(retryMs, AbortSignal.any([stopping.signal, lostSession.signal]));
        }
        if (stopping.signal.aborted || lostSession.signal.aborted) throw new Error('stopped or lost before the lock');
      } catch (err) {
        if (!stopping.signal.aborted) log.debug({ err: (err as Error).message }, 'duty not taken; trying again');
        client = null;
        await c.end().catch(ignoreClosing);
        await sleep(retryMs, stopping.signal);
        continue;
      }
      held = true;
      log.info('duty taken');
      o.onChange?.(true);
      const checker = setInterval(() => {
        c.query('SELECT 1').catch((err: Error) => lose(`liveness check failed: ${err.message}`));
      }, checkEveryMs);
      checker.unref();
      const signal = AbortSignal.any([stopping.signal, lostSession.signal]);
      while (!signal.aborted) {
        try {
          await o.work(signal);
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'duty pass failed; retrying later');
        }
        await sleep(o.everyMs, signal);
      }
      clearInterval(checker);
      held = false;
      client = null;
      o.onChange?.(false);
      await c.end().catch(ignoreClosing);
    }
  };
  const loop = run();

  return {
    name: o.name,
    get isHeld() {
      return held;
    },
    async stop() {
      stopping.abort();
      // ending the session frees the lock at once for whoever tries next
      await client?.end().catch(ignoreClosing);
      await loop.catch(ignoreClosing);
    },
  };
}

// This process's row in eventdesk_processes (issue 19): registered at start, a heartbeat every
// 5 s carrying the duties it holds and its republish owner id, removed on a clean stop. A process
// that dies leaves its row behind; readers count a row as live only while its heartbeat is under
// PROCESS_LIVE_MS old (lib/schemas/processes.ts), and every heartbeat purges rows dead for over an hour.
// The registry is information (GET /api/processes, /api/health, a bulk job's runner), never a
// lock: who runs a duty is decided by its advisory lock (cluster-duty.ts) alone.
// Its own one-connection pool with every deadline of DB_TIMEOUTS: a database restart only fails
// a few heartbeats (logged), and the next one writes the row again (an upsert).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from 'pino';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import { ignoreClosing } from '@/lib/bus/ignore-closing';

export type ProcessRole = 'web' | 'worker';

export const HEARTBEAT_MS = 5000;
/** rows dead for longer than this are deleted */
const PURGE_AFTER_MS = 60 * 60_000;

export interface ProcessRegistry {
  readonly id: string;
  /** the duties held now; written at once (not at the next heartbeat) */
  setDuties(duties: string[]): void;
  /** the republish owner id (bulk_jobs.lease_owner), once known */
  setOwnerId(ownerId: string): void;
  stop(): Promise<void>;
}

export function startProcessRegistry(databaseUrl: string, role: ProcessRole, log: Logger, heartbeatMs = HEARTBEAT_MS): ProcessRegistry {
  const id = randomUUID();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, ...dbTimeouts({ statementMs: 5000 }), application_name: 'eventdesk-registry' });
  guardPool(pool, (err) => log.debug({ err: err.message }, 'registry database connection lost'));
  let duties: string[] = [];
  let ownerId: string | null = null;
  let stopped = false;
  let failing = false;
  // one write at a time, in order; each starts after the one before settled
  let writing: Promise<void> = Promise.resolve();

  const beat = () =>
    pool
      .query(
        `WITH purged AS (DELETE FROM eventdesk_processes WHERE heartbeat_at < now() - make_interval(secs => $7::double precision / 1000))
         INSERT INTO eventdesk_processes (id, host, pid, role, duties, owner_id) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), duties = EXCLUDED.duties, owner_id = EXCLUDED.owner_id`,
        [id, hostname(), process.pid, role, [...duties].sort(), ownerId, PURGE_AFTER_MS],
      )
      .then(
        () => {
          if (failing) log.info('process heartbeat written again');
          failing = false;
        },
        (err: Error) => {
          if (!failing) log.warn({ err: err.message }, 'process heartbeat failed; retrying');
          failing = true;
        },
      );
  const write = () => {
    if (stopped) return;
    writing = writing.then(beat);
  };
  write();
  const timer = setInterval(write, heartbeatMs);
  timer.unref();

  return {
    id,
    setDuties(next) {
      duties = next;
      write();
    },
    setOwnerId(next) {
      ownerId = next;
      write();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await writing;
      await pool.query('DELETE FROM eventdesk_processes WHERE id = $1', [id]).catch((err: Error) => log.warn({ err: err.message }, 'process row not removed'));
      await pool.end().catch(ignoreClosing);
    },
  };
}

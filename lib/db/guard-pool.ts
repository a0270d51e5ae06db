// A PostgreSQL restart or pg_terminate_backend makes pg emit 'error' on the pool (idle clients)
// or on a client (checked out, between two statements). An 'error' event nobody listens to
// crashes the process, so every pool of ours listens on both; the failed query itself still
// rejects, and the callers retry.
//
// Every wait on the database has a deadline (DB_TIMEOUTS): the server cancels a statement past
// statement_timeout and a row-lock wait past lock_timeout, ends a session left idle inside a
// transaction, and the client gives up on a query whose answer never comes (a dead TCP peer).
import type pg from 'pg';

export const DB_TIMEOUTS = {
  /** a new connection */
  connectMs: 5000,
  /** one statement on the server (bulk claims and settles of 5,000 rows take well under 1 s) */
  statementMs: 30_000,
  /** waiting for a row lock (FOR UPDATE): past it, the caller answers 409 busy */
  lockMs: 5000,
  /** a session idle inside an open transaction (a caller that hung) */
  idleInTransactionMs: 60_000,
  /** the client's own deadline for an answer: a little past the server's */
  queryMs: 35_000,
  /** an idle pooled connection is closed after this */
  idleMs: 30_000,
} as const;

/** pg pool/client options with every deadline of DB_TIMEOUTS (spread into new pg.Pool({...})). */
export function dbTimeouts(o: { statementMs?: number; lockMs?: number } = {}) {
  const statementMs = o.statementMs ?? DB_TIMEOUTS.statementMs;
  return {
    connectionTimeoutMillis: DB_TIMEOUTS.connectMs,
    idleTimeoutMillis: DB_TIMEOUTS.idleMs,
    statement_timeout: statementMs,
    lock_timeout: o.lockMs ?? DB_TIMEOUTS.lockMs,
    idle_in_transaction_session_timeout: DB_TIMEOUTS.idleInTransactionMs,
    query_timeout: statementMs + 5000,
    keepAlive: true,
  };
}

/**
 * A wait for a lock that ended without it, as pg or Prisma report it: lock_not_available
 * (lock_timeout or NOWAIT, 55P03), or a deadlock PostgreSQL broke by
 * cancelling this transaction (40P01). Either way nothing was changed and a retry shortly will
 * do: routes answer 409 busy, never a 500.
 */
export function isLockTimeout(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string }; message?: string; cause?: unknown } | null;
  if (!e) return false;
  if (['55P03', '40P01'].includes(e.code ?? '') || ['55P03', '40P01'].includes(e.meta?.code ?? '')) return true;
  if (/lock timeout|canceling statement due to lock timeout|deadlock detected/i.test(e.message ?? '')) return true;
  return e.cause ? isLockTimeout(e.cause) : false;
}

export function guardPool(pool: pg.Pool, onError: (err: Error) => void): pg.Pool {
  pool.on('error', onError);
  pool.on('connect', (client) => {
    client.on('error', onError);
  });
  return pool;
}

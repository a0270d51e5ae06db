// A PostgreSQL restart or pg_terminate_backend makes pg emit 'error' on the pool (idle clients)
// or on a client (checked out, between two statements). An 'error' event nobody listens to
// crashes the process, so every pool of ours listens on both; the failed query itself still
// rejects, and the callers retry.
import type pg from 'pg';

export function guardPool(pool: pg.Pool, onError: (err: Error) => void): pg.Pool {
  pool.on('error', onError);
  pool.on('connect', (client) => {
    client.on('error', onError);
  });
  return pool;
}

// Retries an idempotent database step whose connection died under it (pg_terminate_backend, a
// PostgreSQL restart): the pool hands out a new connection on the next try. Bounded: after
// `deadlineMs` the last error is thrown. Only for steps that are safe to run twice (a settle
// touches only what is still pending).
import { backoffDelay } from '@/lib/backoff';

/** Errors of a connection, not of the statement: worth a try on another connection. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  // 57P01 admin_shutdown (pg_terminate_backend), 57P02/57P03 crash/cannot connect now, 08xxx connection exceptions
  if (e.code && (/^08/.test(e.code) || ['57P01', '57P02', '57P03'].includes(e.code))) return true;
  return /Connection terminated|connection error|ECONNRESET|ECONNREFUSED|EPIPE|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout/i.test(
    e.message ?? '',
  );
}

export async function retryTransient<T>(fn: () => Promise<T>, deadlineMs = 15_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = backoffDelay(attempt, 100, 2000);
      if (!isConnectionError(err) || Date.now() + wait > until) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

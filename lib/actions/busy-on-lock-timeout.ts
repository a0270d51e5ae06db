// A row-lock wait past lock_timeout (lib/db/guard-pool.ts): someone else holds the row.
import { conflict } from '@/lib/action-error';
import { isLockTimeout } from '@/lib/db/guard-pool';

/**
 * The options of a Prisma transaction whose locks may be waited for (lock_timeout, 5 s): room for
 * that wait before Prisma ends the transaction (its default of 5 s would end it first, a 500
 * instead of the conflict below).
 */
export const LOCK_WAITING_TRANSACTION = { maxWait: 5000, timeout: 15_000 };

/** fn, with a row-lock wait past lock_timeout answered as a conflict (busy): nothing changed. */
export async function busyOnLockTimeout<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isLockTimeout(err)) throw conflict('This record is busy (another action holds it); nothing was changed, try again shortly', { reason: 'busy' });
    throw err;
  }
}

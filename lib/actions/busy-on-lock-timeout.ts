// A row-lock wait past lock_timeout (lib/db/guard-pool.ts): someone else holds the row.
import { conflict } from '@/lib/action-error';
import { isLockTimeout } from '@/lib/db/guard-pool';

/** fn, with a row-lock wait past lock_timeout answered as a conflict (busy): nothing changed. */
export async function busyOnLockTimeout<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isLockTimeout(err)) throw conflict('This record is busy (another action holds it); nothing was changed, try again shortly', { reason: 'busy' });
    throw err;
  }
}

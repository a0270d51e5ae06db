// Which database errors mean "a lock was not had, nothing changed, try again": lock_timeout and a
// deadlock PostgreSQL broke, as pg reports them (code) and as Prisma wraps them (meta.code, the
// message, a cause). Routes answer those 409 busy instead of 500.
import { describe, expect, it } from 'vitest';
import { isLockTimeout } from '@/lib/db/guard-pool';

describe('lock waits that ended without the lock', () => {
  it('lock_timeout and deadlocks, however they are wrapped', () => {
    for (const err of [
      { code: '55P03' },
      { code: '40P01' },
      { meta: { code: '40P01' } },
      { message: 'Raw query failed. Code: `40P01`. Message: `deadlock detected`' },
      { message: 'x', cause: { code: '40P01' } },
      { message: 'canceling statement due to lock timeout' },
    ])
      expect(isLockTimeout(err), JSON.stringify(err)).toBe(true);
  });

  it('not other errors', () => {
    for (const err of [null, { code: '23505' }, { meta: { code: '40001' } }, { message: 'connection terminated' }, new Error('boom')])
      expect(isLockTimeout(err), JSON.stringify(err)).toBe(false);
  });
});

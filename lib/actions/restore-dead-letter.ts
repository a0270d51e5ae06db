// The restore action: back to pending, from discarded (a mistake) or republished (the retry was
// lost downstream). An unreadable dead letter that was discarded comes back unreadable, not
// pending: it is retried (retry-unreadable.ts), never restored from unreadable.
import type pg from 'pg';
import { conflict } from '@/lib/action-error';
import { inTransaction } from '@/lib/bus/republish-outbox';
import type { RestoreRequest } from '@/lib/schemas/republish';
import type { Actor } from './actor';
import { getRepublishRuntime } from './runtime';
import { changeStatus, lockRecord, type StatusChange } from './status-change';

export async function restoreDeadLetter(
  actor: Actor,
  input: RestoreRequest & { id: string },
  pool: pg.Pool = getRepublishRuntime().pool,
): Promise<StatusChange> {
  const { id } = input;
  const reason = input.reason ?? null;
  return inTransaction(pool, async (tx) => {
    const r = await lockRecord(tx, id);
    if (r.status === 'pending') throw conflict('This dead letter is already pending', { reason: 'already-pending', status: r.status });
    const base = { id, groupId: r.groupId, from: r.status, actor: actor.name, action: 'restore' as const, reason };
    if (r.unreadable) {
      if (r.status === 'unreadable') throw conflict('This dead letter is unreadable: retry it instead', { reason: 'unreadable', status: r.status });
      return changeStatus(tx, { ...base, to: 'unreadable', pendingDelta: 0 });
    }
    return changeStatus(tx, { ...base, to: 'pending', pendingDelta: +1 });
  });
}

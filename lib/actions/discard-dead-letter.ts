// The discard action: a pending (or unreadable) dead letter is marked discarded; nothing is
// deleted, nothing is sent. An unreadable one is in no failure group's pending count.
import type pg from 'pg';
import { conflict } from '@/lib/action-error';
import { inTransaction } from '@/lib/bus/republish-outbox';
import type { DiscardRequest } from '@/lib/schemas/republish';
import type { Actor } from './actor';
import { getRepublishRuntime } from './runtime';
import { changeStatus, lockRecord, type StatusChange } from './status-change';

export async function discardDeadLetter(
  actor: Actor,
  input: DiscardRequest & { id: string },
  pool: pg.Pool = getRepublishRuntime().pool,
): Promise<StatusChange> {
  const { id, reason } = input;
  return inTransaction(pool, async (tx) => {
    const r = await lockRecord(tx, id);
    if (r.status !== 'pending' && r.status !== 'unreadable')
      throw conflict(`This dead letter is ${r.status}, not pending`, { reason: 'not-pending', status: r.status });
    if (r.inFlight) throw conflict('A republish of this dead letter is in flight', { reason: 'in-flight' });
    const pendingDelta = r.status === 'pending' ? -1 : 0;
    return changeStatus(tx, { id, groupId: r.groupId, from: r.status, to: 'discarded', pendingDelta, actor: actor.name, action: 'discard', reason });
  });
}

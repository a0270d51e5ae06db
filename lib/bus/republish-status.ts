// Discard and restore: status changes that send nothing. Each keeps failure_groups.pending_count,
// history and the audit log in the same transaction as the change. Nothing is deleted.
// An unreadable dead letter (parked by the drain) can be discarded too; it is in no failure
// group's pending count, and a restore of it brings it back to unreadable, not pending.
import type pg from 'pg';
import { conflict, notFound } from '@/lib/api/errors';
import { deadLetterTarget, insertAudit } from './republish-audit';
import { inTransaction } from './republish-outbox';

export interface StatusChange {
  id: string;
  status: 'pending' | 'republished' | 'discarded' | 'unreadable';
  changedAt: string;
}

async function lockRecord(tx: pg.ClientBase, id: string) {
  const { rows } = await tx.query<{ status: string; groupId: string; inFlight: boolean; unreadable: boolean }>(
    `SELECT d."status", d."group_id" AS "groupId", d."unreadable_reason" IS NOT NULL AS "unreadable",
            EXISTS (SELECT 1 FROM "republish_intents" r WHERE r."dead_letter_id" = d."id" AND r."state" = 'pending') AS "inFlight"
     FROM "dead_letters" d WHERE d."id" = $1 FOR UPDATE`,
    [id],
  );
  if (!rows[0]) throw notFound('Dead letter');
  return rows[0];
}

async function change(
  tx: pg.ClientBase,
  id: string,
  groupId: string,
  to: string,
  pendingDelta: number,
  actor: string,
  action: string,
  reason: string | null,
  from: string,
) {
  const { rows } = await tx.query<{ updatedAt: Date }>(
    `UPDATE "dead_letters" SET "status" = $2, "updated_at" = now() WHERE "id" = $1 RETURNING "updated_at" AS "updatedAt"`,
    [id, to],
  );
  if (pendingDelta) {
    await tx.query(`UPDATE "failure_groups" SET "pending_count" = GREATEST("pending_count" + $2, 0) WHERE "id" = $1`, [groupId, pendingDelta]);
  }
  const historyAction = action === 'discard' ? 'discarded' : 'restored';
  await tx.query(`INSERT INTO "dead_letter_history" ("dead_letter_id", "action", "actor", "reason", "details") VALUES ($1, $2, $3, $4, $5)`, [
    id,
    historyAction,
    actor,
    reason,
    JSON.stringify({ from }),
  ]);
  await insertAudit(tx, [{ actor, action, target: deadLetterTarget(id), reason, details: { deadLetterId: id, from, to } }]);
  return rows[0].updatedAt;
}

export async function discardOne(pool: pg.Pool, id: string, actor: string, reason: string): Promise<StatusChange> {
  return inTransaction(pool, async (tx) => {
    const r = await lockRecord(tx, id);
    if (r.status !== 'pending' && r.status !== 'unreadable')
      throw conflict(`This dead letter is ${r.status}, not pending`, { reason: 'not-pending', status: r.status });
    if (r.inFlight) throw conflict('A republish of this dead letter is in flight', { reason: 'in-flight' });
    const at = await change(tx, id, r.groupId, 'discarded', r.status === 'pending' ? -1 : 0, actor, 'discard', reason, r.status);
    return { id, status: 'discarded', changedAt: at.toISOString() };
  });
}

/** Back to pending, from discarded (a mistake) or republished (the retry was lost downstream). */
export async function restoreOne(pool: pg.Pool, id: string, actor: string, reason: string | null): Promise<StatusChange> {
  return inTransaction(pool, async (tx) => {
    const r = await lockRecord(tx, id);
    if (r.status === 'pending') throw conflict('This dead letter is already pending', { reason: 'already-pending', status: r.status });
    if (r.unreadable) {
      if (r.status === 'unreadable') throw conflict('This dead letter is unreadable: retry it instead', { reason: 'unreadable', status: r.status });
      const at = await change(tx, id, r.groupId, 'unreadable', 0, actor, 'restore', reason, r.status);
      return { id, status: 'unreadable', changedAt: at.toISOString() };
    }
    const at = await change(tx, id, r.groupId, 'pending', +1, actor, 'restore', reason, r.status);
    return { id, status: 'pending', changedAt: at.toISOString() };
  });
}

// The update-user action (admin): change role, disable/enable, or reset the password (a new one
// returned once). Disabling or resetting bumps session_version, which ends every session of the
// user. An admin cannot lock themself out, and the last active admin cannot be demoted or
// disabled. Audited with what changed, never the password; a request that changes nothing writes nothing.
import 'server-only';
import { conflict, notFound } from '@/lib/action-error';
import { auditInsertSql, prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import { Prisma } from '@/lib/generated/prisma/client';
import type { UpdateUserInput, UserWriteResult } from '@/lib/schemas/users';
import { generatePassword, hashPassword } from '@/lib/server/auth/passwords';
import { forgetSessionUser, toUser, USER_ID } from '@/lib/server/auth/users';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';
import { LOCK_WAITING_TRANSACTION } from './busy-on-lock-timeout';

export async function updateUser(actor: Actor & { kind?: string }, input: UpdateUserInput & { id: string }): Promise<UserWriteResult> {
  const { id } = input;
  if (!USER_ID.test(id)) throw notFound('User');
  const password = input.resetPassword ? generatePassword() : undefined;
  const passwordHash = password ? await hashPassword(password) : undefined;
  const result = await prisma.$transaction(
    async (tx) => {
      // Row lock: two admins changing the last admins at once cannot both pass the check.
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "users" WHERE "id" = ${id}::uuid FOR UPDATE`;
      if (locked.length === 0) throw notFound('User');
      const current = await tx.user.findUniqueOrThrow({ where: { id } });
      // a request that changes nothing (the role or status the user already has) writes nothing:
      // no update, no audit line
      const changes = (input.role && input.role !== current.role) || (input.status && input.status !== current.status) || password;
      if (!changes) return current;
      const losesAdmin = current.role === 'admin' && current.status === 'active' && ((input.role && input.role !== 'admin') || input.status === 'disabled');
      if (losesAdmin) {
        if (actor.kind !== 'token' && actor.name === current.email) throw conflict('You cannot remove your own admin role or disable yourself');
        await tx.$queryRaw`SELECT "id" FROM "users" WHERE "role" = 'admin' AND "status" = 'active' FOR UPDATE`;
        const admins = await tx.user.count({ where: { role: 'admin', status: 'active' } });
        if (admins <= 1) throw conflict('This is the last active admin');
      }
      const endsSessions = (input.status === 'disabled' && current.status !== 'disabled') || Boolean(passwordHash);
      const row = await tx.user.update({
        where: { id },
        data: {
          ...(input.role ? { role: input.role } : {}),
          ...(input.status ? { status: input.status } : {}),
          ...(passwordHash ? { passwordHash } : {}),
          ...(endsSessions ? { sessionVersion: { increment: 1 } } : {}),
          updatedAt: new Date(),
        },
      });
      // a user who can no longer act on groups (disabled, or now a viewer) is no one's assignee:
      // their groups are unassigned, each with a history entry (they were left assigned to someone
      // the assignee list no longer offers)
      const couldAct = current.status === 'active' && current.role !== 'viewer';
      const canAct = row.status === 'active' && row.role !== 'viewer';
      const unassigned =
        couldAct && !canAct
          ? await unassignAll(
              tx,
              actor.name,
              { id, email: current.email },
              row.status === 'disabled' ? 'the assignee was disabled' : 'the assignee is a viewer now',
            )
          : [];
      await recordAudit(prismaAuditClient(tx), {
        actor: actor.name,
        action: 'user-update',
        target: `user:${id}`,
        details: {
          email: current.email,
          ...(input.role && input.role !== current.role ? { role: { from: current.role, to: input.role } } : {}),
          ...(input.status && input.status !== current.status ? { status: { from: current.status, to: input.status } } : {}),
          ...(password ? { passwordReset: true } : {}),
          sessionsEnded: endsSessions,
          ...(unassigned.length ? { unassignedGroups: unassigned.length } : {}),
        },
      });
      return row;
    },
    // the groups' locks may be waited for (behind a drain batch)
    LOCK_WAITING_TRANSACTION,
  );
  forgetSessionUser(id);
  return { user: toUser(result), ...(password ? { password } : {}) };
}

/**
 * Unassigns every group of a user who can no longer act on them, in the caller's transaction:
 * the groups locked in id order (the drain's order, so the two queue rather than deadlock), a
 * history entry and a group-change audit line on each, as an operator's unassignment writes.
 */
async function unassignAll(
  tx: Pick<Prisma.TransactionClient, '$queryRaw'>,
  actor: string,
  user: { id: string; email: string },
  reason: string,
): Promise<{ id: string }[]> {
  const from = JSON.stringify({ id: user.id, email: user.email });
  return tx.$queryRaw<{ id: string }[]>`
    WITH p AS (
      SELECT ${actor}::text AS actor, ${reason}::text AS reason, ${from}::jsonb AS frm
    ), locked AS (
      SELECT id FROM failure_groups WHERE assignee_id = ${user.id}::uuid ORDER BY id FOR UPDATE
    ), un AS (
      UPDATE failure_groups g SET assignee_id = NULL FROM locked l WHERE g.id = l.id AND g.assignee_id = ${user.id}::uuid RETURNING g.id
    ), history AS (
      INSERT INTO failure_group_history (group_id, actor, action, details, reason)
      SELECT un.id, p.actor, 'unassigned', jsonb_build_object('from', p.frm, 'to', NULL), p.reason FROM un, p ORDER BY un.id
    ), audit AS (
      ${Prisma.raw(
        auditInsertSql(
          {
            at: 'clock_timestamp()',
            actor: 'p.actor',
            action: "'group-change'",
            target: "'group:' || un.id",
            reason: 'p.reason',
            details: "jsonb_build_object('assignee', jsonb_build_object('from', p.frm, 'to', NULL))",
          },
          'FROM un, p ORDER BY un.id',
        ),
      )}
    )
    SELECT id FROM un ORDER BY id`;
}

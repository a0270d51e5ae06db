// The update-user action (admin): change role, disable/enable, or reset the password (a new one
// returned once). Disabling or resetting bumps session_version, which ends every session of the
// user. An admin cannot lock themself out, and the last active admin cannot be demoted or
// disabled. Audited with what changed, never the password; a request that changes nothing writes nothing.
import 'server-only';
import { conflict, notFound } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { UpdateUserInput, UserWriteResult } from '@/lib/schemas/users';
import { generatePassword, hashPassword } from '@/lib/server/auth/passwords';
import { forgetSessionUser, toUser, USER_ID } from '@/lib/server/auth/users';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';

export async function updateUser(actor: Actor & { kind?: string }, input: UpdateUserInput & { id: string }): Promise<UserWriteResult> {
  const { id } = input;
  if (!USER_ID.test(id)) throw notFound('User');
  const password = input.resetPassword ? generatePassword() : undefined;
  const passwordHash = password ? await hashPassword(password) : undefined;
  const result = await prisma.$transaction(async (tx) => {
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
        ? await tx.$queryRaw<{ id: string }[]>`
            WITH un AS (
              UPDATE failure_groups SET assignee_id = NULL WHERE assignee_id = ${id}::uuid RETURNING id
            )
            INSERT INTO failure_group_history (group_id, actor, action, details, reason)
            SELECT un.id, ${actor.name}, 'unassigned', jsonb_build_object('from', jsonb_build_object('id', ${id}::text, 'email', ${current.email}::text), 'to', NULL),
                   ${row.status === 'disabled' ? 'the assignee was disabled' : 'the assignee is a viewer now'}
              FROM un ORDER BY un.id
            RETURNING group_id AS id`
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
        ...(unassigned.length ? { unassignedGroups: unassigned.map((g) => g.id) } : {}),
      },
    });
    return row;
  });
  forgetSessionUser(id);
  return { user: toUser(result), ...(password ? { password } : {}) };
}

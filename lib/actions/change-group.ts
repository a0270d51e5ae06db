// The change-group action (operator, issue 16): a failure group's status (acknowledge, snooze,
// resolve, reopen) and assignee, in one transaction with its history entries and one audit line.
// The state machine (from the effective status: a snooze that has ended is open):
//   open         -> acknowledged | snoozed | resolved
//   acknowledged -> open | snoozed | resolved
//   snoozed      -> open | acknowledged | snoozed (a new end) | resolved
//   resolved     -> open (reopen; a new dead letter does it too, lib/bus/group-lifecycle-writes.ts)
// Anything else is a conflict (409, details {reason: 'illegal-transition', from, to}): a resolved
// group is reopened before anyone acknowledges or snoozes it, so its history says so.
import 'server-only';
import { conflict, invalid, notFound } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import { effectiveStatusSql } from '@/lib/groups/effective-status';
import type { ChangeGroupInput, GroupDetail, GroupStatus } from '@/lib/schemas/groups';
import { prisma } from '@/lib/server/db';
import { getGroup, GROUP_ID } from '@/lib/server/groups/get-group';
import type { Actor } from './actor';
import { LOCK_WAITING_TRANSACTION } from './busy-on-lock-timeout';

export const GROUP_TRANSITIONS: Record<GroupStatus, readonly GroupStatus[]> = {
  open: ['acknowledged', 'snoozed', 'resolved'],
  acknowledged: ['open', 'snoozed', 'resolved'],
  snoozed: ['open', 'acknowledged', 'snoozed', 'resolved'],
  resolved: ['open'],
};

/** The history action of a move to `to`. */
const ACTION_OF: Record<GroupStatus, string> = { open: 'reopened', acknowledged: 'acknowledged', snoozed: 'snoozed', resolved: 'resolved' };

export const groupTarget = (id: string) => `group:${id}`;

export async function changeGroup(actor: Actor & { userId?: string }, input: ChangeGroupInput & { id: string }): Promise<GroupDetail> {
  const { id } = input;
  if (!GROUP_ID.test(id)) throw notFound('Group');
  await prisma.$transaction(async (tx) => {
    // The new assignee first, locked (FOR SHARE) before the group: an admin disabling that user
    // meanwhile (which unassigns the user's groups: update-user) is waited for and then seen, so a
    // group is never left assigned to someone disabled; and users before groups is the order
    // update-user locks them in, so the two queue instead of deadlocking.
    let assignee: { id: string; email: string } | null = null;
    if (input.assigneeId !== undefined && input.assigneeId !== null) {
      const userId = input.assigneeId === 'me' ? actor.userId : input.assigneeId;
      if (!userId) throw invalid('An API token is no user: assign to a user id', [{ field: 'assigneeId', message: 'an API token has no user' }]);
      const users = await tx.$queryRawUnsafe<{ id: string; email: string }[]>(
        // the people who can act on it (GET /api/users/assignable lists the same)
        `SELECT id::text, email FROM users WHERE id = $1::uuid AND status = 'active' AND role IN ('operator', 'admin') FOR SHARE`,
        userId,
      );
      if (users.length === 0)
        throw invalid('No active operator or admin has that id', [{ field: 'assigneeId', message: 'no active operator or admin has this id' }]);
      assignee = users[0];
    }
    const rows = await tx.$queryRawUnsafe<{ status: GroupStatus; assignee_id: string | null; assignee_email: string | null }[]>(
      `SELECT ${effectiveStatusSql('g')} AS status, g.assignee_id::text AS assignee_id, u.email AS assignee_email
       FROM failure_groups g LEFT JOIN users u ON u.id = g.assignee_id WHERE g.id = $1 FOR UPDATE OF g`,
      id,
    );
    if (rows.length === 0) throw notFound('Group');
    const current = rows[0];
    const history: { action: string; details: unknown }[] = [];
    const audit: Record<string, unknown> = {};

    if (input.status !== undefined) {
      const to = input.status;
      if (!GROUP_TRANSITIONS[current.status].includes(to))
        throw conflict(`A ${current.status} group cannot be made ${to}`, { reason: 'illegal-transition', from: current.status, to });
      await tx.$executeRawUnsafe(
        `UPDATE failure_groups SET status = $2, snoozed_until = $3::timestamptz,
           resolved_at = CASE WHEN $2 = 'resolved' THEN clock_timestamp() END, status_changed_at = clock_timestamp()
         WHERE id = $1`,
        id,
        to,
        to === 'snoozed' ? input.snoozedUntil!.toISOString() : null,
      );
      const details = { from: current.status, to, ...(to === 'snoozed' ? { snoozedUntil: input.snoozedUntil!.toISOString() } : {}) };
      history.push({ action: ACTION_OF[to], details });
      audit.status = details;
    }

    if (input.assigneeId !== undefined) {
      const to = assignee;
      if ((to?.id ?? null) !== current.assignee_id) {
        await tx.$executeRawUnsafe(`UPDATE failure_groups SET assignee_id = $2::uuid WHERE id = $1`, id, to?.id ?? null);
        const from = current.assignee_id ? { id: current.assignee_id, email: current.assignee_email ?? '' } : null;
        history.push({ action: to ? 'assigned' : 'unassigned', details: { from, to } });
        audit.assignee = { from, to };
      }
    }

    if (history.length === 0) return; // assigned to whom it already was: nothing happened
    await tx.$executeRawUnsafe(
      // at: the time of writing, after the group's lock (its default, migration 20261214010000_history_clock_time)
      `INSERT INTO failure_group_history (group_id, actor, action, details, reason)
       SELECT $1, $2, a, d, $5 FROM unnest($3::text[], $4::jsonb[]) WITH ORDINALITY AS t(a, d, n) ORDER BY n`,
      id,
      actor.name,
      history.map((h) => h.action),
      history.map((h) => JSON.stringify(h.details)),
      input.reason ?? null,
    );
    await recordAudit(prismaAuditClient(tx), {
      actor: actor.name,
      action: 'group-change',
      target: groupTarget(id),
      reason: input.reason ?? null,
      details: audit,
    });
  }, LOCK_WAITING_TRANSACTION);
  return getGroup(id);
}

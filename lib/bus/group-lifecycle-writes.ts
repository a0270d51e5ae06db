// The drain's part of the incident lifecycle (issue 16), in the transaction that stores the dead
// letters: a new dead letter of a `resolved` group reopens it (status open, reopened_count + 1, a
// history entry, an audit line, a group.reopened outbox row at most once per group per 10
// minutes), one of a snoozed group whose snooze has ended makes it open (history 'snooze-ended',
// an audit line), and a group the
// batch creates gets one group.new outbox row (dedupe key, so a flood or two concurrent drainers
// still make one). Set-based: one statement before the failure_groups upsert, and one after it
// only when the batch created groups, whatever the batch's size.
//
// It works from the group ids and the database alone, so whatever derives groups from dead
// letters can call it with its transaction client: `beginGroupLifecycle` before it upserts the
// groups, `finishGroupLifecycle` after.

import { auditInsertSql } from '@/lib/audit/record-audit';

export interface LifecycleClient {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface GroupLifecycleBatch {
  /** touched ids that had no row yet: created by this batch's upsert (or a concurrent drainer's) */
  created: string[];
  /** groups reopened from resolved */
  reopened: string[];
  /** groups whose snooze had ended, now open */
  unsnoozed: string[];
}

/**
 * Who a reopen is put down to: the drain (a new dead letter), or the operator whose retry of an
 * unreadable dead letter made it a death of the group (lib/actions/retry-unreadable.ts).
 */
export interface LifecycleCause {
  /** the history's and the audit line's actor */
  actor: string;
  /** how the reason names the dead letter: 'a new dead letter', 'a retried dead letter' */
  deadLetter: string;
}

export const DRAIN_CAUSE: LifecycleCause = { actor: 'drain', deadLetter: 'a new dead letter' };

/** At most one group.reopened notification per group in this many minutes. */
export const REOPEN_NOTIFY_MINUTES = 10;

const groupPayloadSql = (g: string) =>
  `jsonb_build_object('group', jsonb_build_object('id', ${g}.id, 'eventType', ${g}.event_type, 'queue', ${g}.queue, 'reason', ${g}.reason, 'signature', ${g}.signature))`;

/**
 * Before the upsert: reads which touched groups exist, and reopens those that need it. Only the
 * rows that change are locked (sorted by id, the upsert's order, so concurrent drainers queue
 * rather than deadlock); a drainer that waited for another's lock re-checks the row (READ
 * COMMITTED's recheck of FOR UPDATE), so a group is reopened once however many drain it.
 */
export async function beginGroupLifecycle(client: LifecycleClient, groupIds: string[], cause: LifecycleCause = DRAIN_CAUSE): Promise<GroupLifecycleBatch> {
  const ids = [...new Set(groupIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (ids.length === 0) return { created: [], reopened: [], unsnoozed: [] };
  const { rows } = await client.query<{ id: string; old_status: string | null }>(
    `WITH locked AS (
       SELECT id, status, last_reopen_notified_at FROM failure_groups
       WHERE id = ANY($1::text[]) AND (status = 'resolved' OR (status = 'snoozed' AND snoozed_until <= now()))
       ORDER BY id FOR UPDATE
     ), changed AS (
       UPDATE failure_groups g SET
         status = 'open',
         snoozed_until = NULL,
         resolved_at = NULL,
         status_changed_at = clock_timestamp(),
         reopened_count = g.reopened_count + (l.status = 'resolved')::int,
         last_reopen_notified_at = CASE
           WHEN l.status = 'resolved' AND (l.last_reopen_notified_at IS NULL OR l.last_reopen_notified_at <= now() - make_interval(mins => $2::int))
           THEN now() ELSE g.last_reopen_notified_at END
       FROM locked l
       WHERE g.id = l.id
       RETURNING g.id, g.event_type, g.queue, g.reason, g.signature, g.reopened_count, l.status AS old_status,
         (l.status = 'resolved' AND (l.last_reopen_notified_at IS NULL OR l.last_reopen_notified_at <= now() - make_interval(mins => $2::int))) AS notify
     ), history AS (
       INSERT INTO failure_group_history (group_id, actor, action, details)
       SELECT id, $3::text, CASE old_status WHEN 'resolved' THEN 'reopened' ELSE 'snooze-ended' END,
              jsonb_build_object('from', old_status, 'to', 'open', 'reopenedCount', reopened_count)
       FROM changed ORDER BY id
     ), audit AS (
       -- the audit log has every change of a group, the drain's too (as an operator's change reads)
       ${auditInsertSql(
         {
           at: 'clock_timestamp()',
           actor: '$3::text',
           action: "'group-change'",
           target: "'group:' || id",
           reason: "$4::text || CASE old_status WHEN 'resolved' THEN ' reopened the resolved group' ELSE ' after the snooze ended' END",
           details: "jsonb_build_object('status', jsonb_build_object('from', old_status, 'to', 'open'), 'reopenedCount', reopened_count)",
         },
         'FROM changed ORDER BY id',
       )}
     ), outbox AS (
       INSERT INTO notification_outbox (type, event_type, group_id, payload)
       SELECT 'group.reopened', c.event_type, c.id, ${groupPayloadSql('c')} || jsonb_build_object('reopenedCount', c.reopened_count)
       FROM changed c WHERE c.notify ORDER BY c.id
     )
     SELECT g.id, c.old_status FROM failure_groups g LEFT JOIN changed c ON c.id = g.id WHERE g.id = ANY($1::text[])`,
    [ids, REOPEN_NOTIFY_MINUTES, cause.actor, cause.deadLetter],
  );
  const existing = new Set(rows.map((r) => r.id));
  return {
    created: ids.filter((id) => !existing.has(id)),
    reopened: rows.filter((r) => r.old_status === 'resolved').map((r) => r.id),
    unsnoozed: rows.filter((r) => r.old_status === 'snoozed').map((r) => r.id),
  };
}

/** After the upsert: one group.new per group the batch created (none twice: the dedupe key). */
export async function finishGroupLifecycle(client: LifecycleClient, batch: GroupLifecycleBatch): Promise<void> {
  if (batch.created.length === 0) return;
  await client.query(
    `INSERT INTO notification_outbox (type, event_type, group_id, dedupe_key, payload)
     SELECT 'group.new', g.event_type, g.id, 'group.new:' || g.id, ${groupPayloadSql('g')}
     FROM failure_groups g WHERE g.id = ANY($1::text[]) ORDER BY g.id
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [batch.created],
  );
}

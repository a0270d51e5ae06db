'use client';
// The lifecycle actions on a failure group (operators): acknowledge, assign to me / to a user
// (any active operator or admin, GET /api/users/assignable) / unassign, snooze 1 h / 24 h / until
// a time, resolve, reopen (`compact`, on a /groups row: acknowledge, assign to me, resolve, reopen;
// the rest on the group's page). Only the moves the state machine allows are offered
// (lib/actions/change-group.ts; the API refuses the rest with 409). `reason` goes into the group's
// history and the audit log.
import { useState } from 'react';
import { useActor } from '@/components/auth/actor-context';
import { useAssignableUsers } from '@/components/hooks/use-assignable-users';
import { useChangeGroup } from '@/components/hooks/use-change-group';
import { ErrorNote, buttonClass } from '@/components/republish/modal';
import type { FailureGroup } from '@/lib/schemas/groups';

const HOUR = 3_600_000;

/** A datetime-local value (the browser's zone) -> ISO; '' when empty or unreadable. */
function localToIso(v: string): string {
  const t = new Date(v).getTime();
  return v && Number.isFinite(t) ? new Date(t).toISOString() : '';
}

export function GroupLifecycleActions({
  group,
  reason,
  compact = false,
  onDone,
}: {
  group: Pick<FailureGroup, 'id' | 'status' | 'assignee'>;
  reason?: string;
  compact?: boolean;
  onDone?: () => void;
}) {
  const actor = useActor();
  const change = useChangeGroup(group.id);
  // on the group's page: assign to any active operator or admin (GET /api/users/assignable)
  const users = useAssignableUsers({ enabled: !compact });
  const [until, setUntil] = useState('');
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const cls = compact ? buttonClass.small : buttonClass.secondary;
  const mine = actor?.kind === 'user' && group.assignee?.email === actor.name;
  const send = (body: Parameters<typeof change.mutate>[0]) =>
    change.mutate({ ...body, ...(reason?.trim() ? { reason: reason.trim() } : {}) }, { onSuccess: () => onDone?.() });
  const snooze = (iso: string) => {
    send({ status: 'snoozed', snoozedUntil: iso });
    setSnoozeOpen(false);
  };
  const s = group.status;

  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-1" data-testid="group-lifecycle-actions">
        {s === 'open' || s === 'snoozed' ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ status: 'acknowledged' })}>
            Acknowledge
          </button>
        ) : null}
        {actor?.kind === 'user' && !mine ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ assigneeId: 'me' })}>
            Assign to me
          </button>
        ) : null}
        {group.assignee && !compact ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ assigneeId: null })}>
            Unassign
          </button>
        ) : null}
        {!compact && users.data ? (
          <select
            aria-label="Assign to a user"
            className="rounded border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-700"
            value=""
            disabled={change.isPending}
            onChange={(e) => e.target.value && send({ assigneeId: e.target.value })}
          >
            <option value="">Assign to…</option>
            {users.data.items
              .filter((u) => u.id !== group.assignee?.id)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.email}
                </option>
              ))}
          </select>
        ) : null}
        {s !== 'resolved' && !compact ? (
          <button type="button" className={cls} disabled={change.isPending} aria-expanded={snoozeOpen} onClick={() => setSnoozeOpen((o) => !o)}>
            Snooze…
          </button>
        ) : null}
        {s !== 'resolved' ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ status: 'resolved' })}>
            Resolve
          </button>
        ) : null}
        {s === 'resolved' || (!compact && (s === 'acknowledged' || s === 'snoozed')) ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ status: 'open' })}>
            {s === 'resolved' ? 'Reopen' : 'Mark open'}
          </button>
        ) : null}
      </div>
      {snoozeOpen ? (
        <div className="flex flex-wrap items-center gap-1 text-xs" data-testid="snooze-options">
          <button type="button" className={buttonClass.small} onClick={() => snooze(new Date(Date.now() + HOUR).toISOString())}>
            1 hour
          </button>
          <button type="button" className={buttonClass.small} onClick={() => snooze(new Date(Date.now() + 24 * HOUR).toISOString())}>
            24 hours
          </button>
          <label className="flex items-center gap-1 text-slate-600">
            until
            <input
              type="datetime-local"
              aria-label="Snooze until"
              value={until}
              onChange={(e) => setUntil(e.target.value)}
              className="rounded border border-slate-300 px-1 py-0.5 text-xs"
            />
          </label>
          <button type="button" className={buttonClass.small} disabled={!localToIso(until)} onClick={() => snooze(localToIso(until))}>
            Snooze until then
          </button>
        </div>
      ) : null}
      <ErrorNote error={change.error} />
    </div>
  );
}

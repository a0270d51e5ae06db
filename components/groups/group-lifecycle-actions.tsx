'use client';
// The lifecycle actions on a failure group (operators): acknowledge, assign to me / to a user
// (any active operator or admin, GET /api/users/assignable) / unassign, snooze 1 h / 24 h / until
// a time, resolve, reopen (`compact`, on a /groups row: acknowledge, assign to me, resolve, reopen;
// the rest on the group's page). Only the moves the state machine allows are offered
// (lib/actions/change-group.ts; the API refuses the rest with 409). `reason` goes into the group's
// history and the audit log. Resolving a group that still holds pending messages asks first (they
// stay in the DLQ: resolving retries nothing), and each change says it was done: next to the
// buttons on the group's page, through onDone on a /groups row (which may leave the tab shown).
import { useEffect, useState } from 'react';
import { useActor } from '@/components/auth/actor-context';
import { useAssignableUsers } from '@/components/hooks/use-assignable-users';
import { useChangeGroup } from '@/components/hooks/use-change-group';
import { ErrorNote, buttonClass } from '@/components/republish/modal';
import type { FailureGroup, GroupStatus } from '@/lib/schemas/groups';

/** A change done: what to say of it, and the group's status after it when the change was one. */
export interface GroupChangeDone {
  said: string;
  status?: GroupStatus;
}

const HOUR = 3_600_000;
/** How long "Acknowledged." and the like stay next to the buttons. */
const DONE_SHOWN_MS = 6_000;

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
  group: Pick<FailureGroup, 'id' | 'status' | 'assignee' | 'pendingCount'>;
  reason?: string;
  compact?: boolean;
  /** after a change went through (a row's view says it: the row may leave its tab) */
  onDone?: (done: GroupChangeDone) => void;
}) {
  const actor = useActor();
  const change = useChangeGroup(group.id);
  // on the group's page: assign to any active operator or admin (GET /api/users/assignable)
  const users = useAssignableUsers({ enabled: !compact });
  const [until, setUntil] = useState('');
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [confirmResolve, setConfirmResolve] = useState(false);
  /** what the last change did, said until the next one (cleared after DONE_SHOWN_MS) */
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(null), DONE_SHOWN_MS);
    return () => clearTimeout(t);
  }, [done]);
  const cls = compact ? buttonClass.small : buttonClass.secondary;
  const mine = actor?.kind === 'user' && group.assignee?.email === actor.name;
  const send = (body: Parameters<typeof change.mutate>[0], said: string) => {
    setDone(null);
    change.mutate(
      { ...body, ...(reason?.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => {
          if (!compact) setDone(said);
          onDone?.({ said, status: body.status });
        },
      },
    );
  };
  const snooze = (iso: string) => {
    send({ status: 'snoozed', snoozedUntil: iso }, 'Snoozed.');
    setSnoozeOpen(false);
  };
  const resolve = () => {
    setConfirmResolve(false);
    send({ status: 'resolved' }, 'Resolved.');
  };
  const s = group.status;

  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-1" data-testid="group-lifecycle-actions">
        {s === 'open' || s === 'snoozed' ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ status: 'acknowledged' }, 'Acknowledged.')}>
            Acknowledge
          </button>
        ) : null}
        {actor?.kind === 'user' && !mine ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ assigneeId: 'me' }, 'Assigned to you.')}>
            Assign to me
          </button>
        ) : null}
        {group.assignee && !compact ? (
          <button type="button" className={cls} disabled={change.isPending} onClick={() => send({ assigneeId: null }, 'Unassigned.')}>
            Unassign
          </button>
        ) : null}
        {!compact && users.data ? (
          <select
            aria-label="Assign to a user"
            className="rounded border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-700"
            value=""
            disabled={change.isPending}
            onChange={(e) => {
              const to = users.data?.items.find((u) => u.id === e.target.value);
              if (to) send({ assigneeId: to.id }, `Assigned to ${to.email}.`);
            }}
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
          <button
            type="button"
            className={cls}
            disabled={change.isPending}
            aria-expanded={group.pendingCount > 0 ? confirmResolve : undefined}
            onClick={() => (group.pendingCount > 0 ? setConfirmResolve((o) => !o) : resolve())}
          >
            Resolve
          </button>
        ) : null}
        {s === 'resolved' || (!compact && (s === 'acknowledged' || s === 'snoozed')) ? (
          <button
            type="button"
            className={cls}
            disabled={change.isPending}
            onClick={() => send({ status: 'open' }, s === 'resolved' ? 'Reopened.' : 'Marked open.')}
          >
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
      {confirmResolve && s !== 'resolved' ? (
        <div
          className="flex flex-wrap items-center gap-2 rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900"
          data-testid="resolve-confirm"
        >
          <span>
            {group.pendingCount.toLocaleString('en-US')} {group.pendingCount === 1 ? 'message is' : 'messages are'} still pending in this group. Resolving
            retries or discards none of them: they stay in the list, and a new failure reopens the group.
          </span>
          <button type="button" className={buttonClass.small} disabled={change.isPending} onClick={resolve}>
            Resolve anyway
          </button>
          <button type="button" className={buttonClass.small} onClick={() => setConfirmResolve(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      {done ? (
        <p role="status" className="text-xs text-emerald-800" data-testid="group-change-done">
          {done}
        </p>
      ) : null}
      <ErrorNote error={change.error} />
    </div>
  );
}

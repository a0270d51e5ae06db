'use client';
// One failure group: what it is (type, queue, reason, signature, counts, first/last seen, 24 h and
// 7 d sparklines), its status and assignee with the operator's actions (acknowledge, assign,
// snooze, resolve, reopen, retry or discard the group), its newest dead letters, notes and history.
// Notes are Markdown shown as text (never HTML).
import Link from 'next/link';
import { useState } from 'react';
import { useHasRole } from '@/components/auth/actor-context';
import { BulkDialog } from '@/components/bulk/bulk-dialog';
import { useAddGroupNote } from '@/components/hooks/use-add-group-note';
import { useDeadLetters } from '@/components/hooks/use-dead-letters';
import { useGroupDetail } from '@/components/hooks/use-group-detail';
import { ErrorNote, buttonClass } from '@/components/republish/modal';
import { formatCount, formatTime } from '@/components/ui/format';
import { TimeAgo } from '@/components/ui/preferences';
import { Section } from '@/components/ui/section';
import { StateMessage } from '@/components/ui/state-message';
import { GROUP_NOTE_MAX, type GroupDetail } from '@/lib/schemas/groups';
import { describeGroupHistory } from './describe-group-history';
import { GroupLifecycleActions } from './group-lifecycle-actions';
import { groupName, groupNameParts } from './group-name';
import { GroupStatusBadge } from './group-status';
import { Sparkline } from './sparkline';
import { visibleText } from '@/components/ui/visible-text';

export function GroupDetailView({ id }: { id: string }) {
  const { data, error, isPending } = useGroupDetail(id);
  if (isPending) return <StateMessage tone="loading" title="Loading failure group…" />;
  if (!data)
    return (
      <StateMessage tone="error" title="Could not load this failure group" testId="group-error">
        {error?.message ?? 'Not found'}.{' '}
        <Link className="text-indigo-700 underline" href="/groups">
          All groups
        </Link>
      </StateMessage>
    );
  return <GroupDetailBody group={data} />;
}

function GroupDetailBody({ group }: { group: GroupDetail }) {
  const operator = useHasRole('operator');
  const [reason, setReason] = useState('');
  const [bulk, setBulk] = useState<'republish' | 'discard' | null>(null);
  const [type, queue, reasonPart] = groupNameParts(group);
  const listHref = `/?groupId=${encodeURIComponent(group.id)}`;
  const facts: [string, React.ReactNode][] = [
    ['Event type', type],
    ['Queue', queue],
    ['Reason', reasonPart],
    ['Deaths', formatCount(group.count)],
    ['Pending dead letters', formatCount(group.pendingCount)],
    ['Failed again after retry', formatCount(group.failedAgainCount)],
    ['First seen', <TimeAgo key="f" iso={group.firstSeenAt} />],
    ['Last seen', <TimeAgo key="l" iso={group.lastSeenAt} />],
    ['Reopened', `${group.reopenedCount} ${group.reopenedCount === 1 ? 'time' : 'times'}`],
    ['Resolved at', group.resolvedAt ? formatTime(group.resolvedAt) : '—'],
  ];

  return (
    <div className="space-y-3" data-testid="group-detail" data-group-id={group.id}>
      <div className="text-xs text-slate-500">
        <Link href="/groups" className="text-indigo-700 underline">
          Failure groups
        </Link>{' '}
        / group <span className="font-mono">{group.id}</span>
      </div>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h1 className="break-words text-lg font-semibold" data-testid="group-title">
          {groupName(group, 200)}
        </h1>
        <div className="flex items-center gap-2 text-sm">
          <GroupStatusBadge status={group.status} snoozedUntil={group.snoozedUntil} />
          <span className="text-slate-600" data-testid="group-assignee">
            {group.assignee ? `assigned to ${group.assignee.email}` : 'unassigned'}
          </span>
        </div>
      </div>

      {operator ? (
        <Section title="Actions" testId="group-actions-panel">
          <div className="space-y-2">
            <label className="flex items-center gap-2 text-sm text-slate-700">
              Reason (optional, kept in the history and the audit log)
              <input
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                maxLength={1000}
                aria-label="Reason"
                className="min-w-[16rem] flex-1 rounded border border-slate-300 px-2 py-1 text-sm"
              />
            </label>
            <GroupLifecycleActions group={group} reason={reason} onDone={() => setReason('')} />
            <div className="flex flex-wrap gap-1">
              <button type="button" className={buttonClass.secondary} disabled={group.pendingCount === 0} onClick={() => setBulk('republish')}>
                Retry group
              </button>
              <button type="button" className={buttonClass.danger} disabled={group.pendingCount === 0} onClick={() => setBulk('discard')}>
                Discard group
              </button>
            </div>
          </div>
        </Section>
      ) : null}

      <Section
        title="What it is"
        testId="group-facts"
        aside={
          <Link href={listHref} className="text-xs text-indigo-700 hover:underline">
            Open its dead letters in the list →
          </Link>
        }
      >
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          {facts.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-500">{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
          <dt className="text-slate-500">Signature</dt>
          <dd className="whitespace-pre-wrap break-words font-mono text-xs" data-testid="group-signature">
            {group.signature || '(none)'}
          </dd>
        </dl>
        <div className="mt-3 flex flex-wrap gap-6 text-xs text-slate-600">
          <div>
            Last 24 hours (per hour)
            <Sparkline values={group.hourly} label={`${group.hourly.reduce((s, n) => s + n, 0)} deaths in the last 24 hours`} />
          </div>
          <div data-testid="group-week">
            Last 7 days (per 6 hours)
            <Sparkline values={group.weekly} label={`${group.weekly.reduce((s, n) => s + n, 0)} deaths in the last 7 days`} />
          </div>
        </div>
      </Section>

      <NewestDeadLetters groupId={group.id} listHref={listHref} />
      <Notes group={group} operator={operator} />

      <Section title="History" testId="group-history">
        {group.history.length === 0 ? (
          <p className="text-sm text-slate-500">Nothing has happened to this group yet.</p>
        ) : (
          <ol className="space-y-1">
            {group.history.map((e, i) => (
              <li key={i} className="text-sm" data-testid="group-history-entry" data-action={e.action}>
                <span className="tabular-nums text-xs text-slate-500">{formatTime(e.at)}</span> {visibleText(describeGroupHistory(e))}
                {e.reason ? <span className="text-slate-600"> — “{e.reason}”</span> : null}
              </li>
            ))}
          </ol>
        )}
      </Section>

      {bulk ? <BulkDialog action={bulk} selection={{ groupId: group.id }} what={`the group ${groupName(group)}`} onClose={() => setBulk(null)} /> : null}
    </div>
  );
}

function NewestDeadLetters({ groupId, listHref }: { groupId: string; listHref: string }) {
  const { data, error } = useDeadLetters({ groupId, limit: 50 });
  return (
    <Section
      title="Newest dead letters"
      testId="group-dead-letters"
      aside={
        <Link href={listHref} className="text-xs text-indigo-700 hover:underline">
          all of them →
        </Link>
      }
    >
      {error && !data ? (
        <p className="text-sm text-rose-700">{error.message}</p>
      ) : !data ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : data.items.length === 0 ? (
        <p className="text-sm text-slate-500">None stored (purged by retention, or not drained yet).</p>
      ) : (
        <div className="max-h-96 overflow-auto">
          <table className="w-full text-sm">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-2 py-1">Last failed</th>
                <th className="px-2 py-1">Event id</th>
                <th className="px-2 py-1">Status</th>
                <th className="px-2 py-1">Error</th>
              </tr>
            </thead>
            <tbody>
              {data.items.slice(0, 20).map((d) => (
                <tr key={d.id} className="border-t border-slate-100" data-testid="group-dead-letter">
                  <td className="whitespace-nowrap px-2 py-1 text-xs">
                    <Link className="text-indigo-700 hover:underline" href={`/dead-letters/${d.id}`}>
                      {formatTime(d.lastFailedAt)}
                    </Link>
                  </td>
                  <td className="px-2 py-1 font-mono text-xs">{d.eventId ?? '—'}</td>
                  <td className="px-2 py-1 text-xs">{d.status}</td>
                  <td className="max-w-[32rem] truncate px-2 py-1 font-mono text-xs" title={d.errorMessage ?? ''}>
                    {d.errorMessage ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function Notes({ group, operator }: { group: GroupDetail; operator: boolean }) {
  const add = useAddGroupNote(group.id);
  const [text, setText] = useState('');
  return (
    <Section title={`Notes (${group.notes.length})`} testId="group-notes">
      {group.notes.length === 0 ? <p className="text-sm text-slate-500">No notes yet.</p> : null}
      <ol className="space-y-2">
        {group.notes.map((n) => (
          <li key={n.id} className="rounded border border-slate-100 p-2" data-testid="group-note">
            <div className="text-xs text-slate-500">
              {n.author} · <TimeAgo iso={n.at} />
            </div>
            {/* Markdown shown as text: never rendered as HTML */}
            <p className="whitespace-pre-wrap break-words text-sm" data-testid="group-note-text">
              {n.text}
            </p>
          </li>
        ))}
      </ol>
      {operator ? (
        <form
          className="mt-2 space-y-1"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) add.mutate(text, { onSuccess: () => setText('') });
          }}
        >
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={GROUP_NOTE_MAX}
            rows={3}
            aria-label="New note"
            placeholder="What you found, what you did (Markdown, shown as text)"
            className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
          />
          <button type="submit" className={buttonClass.primary} disabled={!text.trim() || add.isPending}>
            Add note
          </button>
          <ErrorNote error={add.error} />
        </form>
      ) : null}
    </Section>
  );
}

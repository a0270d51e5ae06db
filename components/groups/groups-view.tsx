'use client';
// Failure groups: one bug = one line, with its status, assignee, count, pending count, first/last
// seen and the last 24 hours, named by what it is (type · queue · reason · error). Tabs per status
// with their counts and "Assigned to me" live in the query string. A click opens the list
// filtered by the group, "details" the group's page; operators change the group's status and
// retry or discard a whole group from its row.
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useActor, useHasRole } from '@/components/auth/actor-context';
import { BulkDialog } from '@/components/bulk/bulk-dialog';
import { buttonClass } from '@/components/republish/modal';
import { useGroups } from '@/components/hooks/use-groups';
import { StateMessage } from '@/components/ui/state-message';
import { formatAgo, formatCount, formatTime } from '@/components/ui/format';
import { Tabs } from '@/components/ui/tabs';
import { GROUP_SORTS, GROUP_STATUSES, type FailureGroup, type GroupStatus } from '@/lib/schemas/groups';
import { GroupLifecycleActions, type GroupChangeDone } from './group-lifecycle-actions';
import { groupName, groupNameParts } from './group-name';
import { GroupStatusBadge, STATUS_LABELS } from './group-status';
import { Sparkline } from './sparkline';

type Tab = GroupStatus | 'all';
const TABS: Tab[] = [...GROUP_STATUSES, 'all'];

const SORT_LABELS: Record<(typeof GROUP_SORTS)[number], string> = { lastSeen: 'Last seen', count: 'Deaths', pending: 'Pending dead letters' };

export function GroupsView() {
  const router = useRouter();
  const sp = useSearchParams();
  const sort = (GROUP_SORTS as readonly string[]).includes(sp.get('sort') ?? '') ? (sp.get('sort') as (typeof GROUP_SORTS)[number]) : 'lastSeen';
  const tab: Tab = (TABS as string[]).includes(sp.get('status') ?? '') ? (sp.get('status') as Tab) : 'open';
  const assignedToMe = sp.get('assignee') === 'me';
  const { data, error, isPending, isFetching } = useGroups({ sort, status: tab === 'all' ? undefined : tab, assignee: assignedToMe ? 'me' : undefined });
  const operator = useHasRole('operator');
  const actor = useActor();
  /** the page's URL with one query parameter changed (its default: removed) */
  const withParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(sp.toString());
    if (value === null) next.delete(key);
    else next.set(key, value);
    const qs = next.toString();
    return qs ? `/groups?${qs}` : '/groups';
  };
  const [pending, setPending] = useState<{ action: 'republish' | 'discard'; group: FailureGroup } | null>(null);
  /** the last status change made from a row: said above the table, as the row may have left this tab */
  const [changed, setChanged] = useState<(GroupChangeDone & { group: FailureGroup }) | null>(null);

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between">
        <h1 className="text-lg font-semibold">Failure groups</h1>
        <label className="flex items-center gap-2 text-xs text-slate-500">
          Sort by
          <select
            aria-label="Sort groups by"
            value={sort}
            onChange={(e) => router.replace(withParam('sort', e.target.value === 'lastSeen' ? null : e.target.value), { scroll: false })}
            className="rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
          >
            {GROUP_SORTS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
          {isFetching ? <span className="text-indigo-600">refreshing…</span> : null}
        </label>
      </div>
      <p className="text-sm text-slate-600">
        Dead letters with the same event type, queue, reason and error message (ids, numbers, uuids and timestamps replaced) are one group.
      </p>
      <div className="flex flex-wrap items-center justify-between gap-2" data-testid="group-tabs">
        <Tabs
          label="Groups by status"
          value={tab}
          onChange={(t) => router.replace(withParam('status', t === 'open' ? null : t), { scroll: false })}
          tabs={TABS.map((t) => ({ value: t, label: `${t === 'all' ? 'All' : STATUS_LABELS[t]} (${data ? formatCount(data.counts[t]) : '…'})` }))}
        />
        {actor?.kind === 'user' ? (
          <label className="flex items-center gap-1 text-sm text-slate-700">
            <input
              type="checkbox"
              checked={assignedToMe}
              onChange={(e) => router.replace(withParam('assignee', e.target.checked ? 'me' : null), { scroll: false })}
              data-testid="assigned-to-me"
            />
            Assigned to me
          </label>
        ) : null}
      </div>
      {changed ? (
        <GroupChangeNotice change={changed} tab={tab} withStatus={(t) => withParam('status', t === 'open' ? null : t)} onDismiss={() => setChanged(null)} />
      ) : null}
      {error && !data ? (
        <StateMessage tone="error" title="Could not load failure groups" testId="groups-error">
          {error.message}. Retrying every 10 seconds.
        </StateMessage>
      ) : isPending ? (
        <StateMessage tone="loading" title="Loading failure groups…" />
      ) : data && data.items.length === 0 && data.counts.all > 0 ? (
        <StateMessage
          tone="empty"
          title={`No ${tab === 'all' ? '' : STATUS_LABELS[tab].toLowerCase() + ' '}groups${assignedToMe ? ' assigned to you' : ''}`}
          testId="groups-empty-tab"
        >
          Other tabs have groups.
        </StateMessage>
      ) : !data || data.items.length === 0 ? (
        <StateMessage tone="empty" title="No failure groups yet" testId="groups-empty">
          Groups appear as the drain stores dead letters. Check the drain state on the{' '}
          <Link className="text-indigo-700 underline" href="/">
            dead letters
          </Link>{' '}
          page.
        </StateMessage>
      ) : (
        <div className="overflow-x-auto rounded-md border border-slate-200 bg-white">
          <table className="w-full text-sm" data-testid="groups-table">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-2 py-2">Group (type · queue · reason · error)</th>
                <th className="px-2 py-2">Status</th>
                <th className="px-2 py-2">Assignee</th>
                <th className="px-2 py-2 text-right" title="Times RabbitMQ dead-lettered a message of this group">
                  Deaths
                </th>
                <th className="px-2 py-2 text-right" title="Dead letters of this group waiting for an operator">
                  Pending
                </th>
                <th className="px-2 py-2 text-right" title="Dead letters republished that died again">
                  Failed again
                </th>
                <th className="px-2 py-2">First seen</th>
                <th className="px-2 py-2">Last seen</th>
                <th className="px-2 py-2">Deaths, last 24 h</th>
                {operator ? <th className="px-2 py-2">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.items.map((g) => {
                const href = `/?groupId=${encodeURIComponent(g.id)}`;
                return (
                  <tr
                    key={g.id}
                    data-testid="group-row"
                    data-group-id={g.id}
                    onClick={() => router.push(href)}
                    className="cursor-pointer border-t border-slate-100 hover:bg-indigo-50"
                  >
                    <td className="min-w-[16rem] max-w-[36rem] px-2 py-1.5" title={`${groupName(g, Infinity)}\ngroup ${g.id}`} data-testid="group-name">
                      <GroupNameCell group={g} href={href} />{' '}
                      <Link
                        href={`/groups/${encodeURIComponent(g.id)}`}
                        className="whitespace-nowrap text-xs text-indigo-700 hover:underline"
                        onClick={(e) => e.stopPropagation()}
                        data-testid="group-details"
                      >
                        details →
                      </Link>
                    </td>
                    <td className="min-w-[7rem] px-2 py-1.5">
                      <GroupStatusBadge status={g.status} snoozedUntil={g.snoozedUntil} />
                      {g.reopenedCount ? (
                        <span className="ml-1 text-xs text-slate-500" title="Times a new dead letter reopened it after it was resolved">
                          reopened {g.reopenedCount}×
                        </span>
                      ) : null}
                    </td>
                    <td className="max-w-[12rem] truncate px-2 py-1.5 text-xs text-slate-700" data-testid="group-assignee" title={g.assignee?.email}>
                      {g.assignee?.email ?? <span className="text-slate-500">—</span>}
                    </td>
                    <td className="px-2 py-1.5 text-right tabular-nums" data-testid="group-count">
                      {formatCount(g.count)}
                    </td>
                    <td className="px-2 py-1.5 text-right tabular-nums" data-testid="group-pending">
                      {formatCount(g.pendingCount)}
                    </td>
                    <td
                      className={`px-2 py-1.5 text-right tabular-nums ${g.failedAgainCount ? 'text-rose-700' : 'text-slate-500'}`}
                      data-testid="group-failed-again"
                    >
                      {formatCount(g.failedAgainCount)}
                    </td>
                    <td className="whitespace-nowrap px-2 py-1.5 text-xs text-slate-600">{formatTime(g.firstSeenAt)}</td>
                    <td className="whitespace-nowrap px-2 py-1.5 text-xs text-slate-600" title={formatTime(g.lastSeenAt)}>
                      {formatAgo(g.lastSeenAt)}
                    </td>
                    <td className="px-2 py-1.5">
                      <Sparkline values={g.hourly} label={`${g.hourly.reduce((s, n) => s + n, 0)} deaths in the last 24 hours`} />
                    </td>
                    {operator ? (
                      <td className="min-w-[12.5rem] px-2 py-1.5" onClick={(e) => e.stopPropagation()}>
                        <GroupLifecycleActions group={g} compact onDone={(d) => setChanged({ ...d, group: g })} />
                        <span className="mt-1 flex flex-wrap gap-1" data-testid="group-actions">
                          <button
                            type="button"
                            className={buttonClass.small}
                            disabled={g.pendingCount === 0}
                            title={g.pendingCount === 0 ? 'Nothing pending in this group' : undefined}
                            onClick={() => setPending({ action: 'republish', group: g })}
                          >
                            Retry group
                          </button>
                          <button
                            type="button"
                            className={buttonClass.small}
                            disabled={g.pendingCount === 0}
                            title={g.pendingCount === 0 ? 'Nothing pending in this group' : undefined}
                            onClick={() => setPending({ action: 'discard', group: g })}
                          >
                            Discard group
                          </button>
                        </span>
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pending ? (
        <BulkDialog
          action={pending.action}
          selection={{ groupId: pending.group.id }}
          what={`the group ${groupName(pending.group)}`}
          onClose={() => setPending(null)}
        />
      ) : null}
    </div>
  );
}

/** "Acknowledged. <group>": and where it went when that is not the tab shown. */
function GroupChangeNotice({
  change,
  tab,
  withStatus,
  onDismiss,
}: {
  change: GroupChangeDone & { group: FailureGroup };
  tab: Tab;
  withStatus: (t: Tab) => string;
  onDismiss: () => void;
}) {
  const moved = change.status && tab !== 'all' && change.status !== tab;
  return (
    <div
      role="status"
      data-testid="group-change-notice"
      className="flex items-start justify-between gap-2 rounded border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
    >
      <p>
        {change.said.replace(/\.$/, '')}: <span className="font-medium">{groupName(change.group)}</span>
        {moved && change.status ? (
          <>
            . Now under{' '}
            <Link href={withStatus(change.status)} className="underline">
              {STATUS_LABELS[change.status]}
            </Link>
            .
          </>
        ) : null}
      </p>
      <button type="button" aria-label="Dismiss" onClick={onDismiss} className="rounded px-1 text-emerald-700 hover:bg-emerald-100">
        ×
      </button>
    </div>
  );
}

/** The group's name, its type a link to the list filtered by it, its error in monospace. */
function GroupNameCell({ group, href }: { group: FailureGroup; href: string }) {
  const [type, queue, reason, error] = groupNameParts(group);
  return (
    <span className="line-clamp-2 break-words">
      <Link href={href} className="font-medium text-indigo-700 hover:underline" onClick={(e) => e.stopPropagation()}>
        {type}
      </Link>
      {' · '}
      {queue} · {reason} · <span className={error.startsWith('no error message') ? 'text-slate-500' : 'font-mono text-xs'}>{error}</span>
    </span>
  );
}

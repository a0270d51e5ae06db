'use client';
// The dead-letter table: one row per dead letter, newest first. The selected row (j/k) is
// marked aria-selected; checkboxes and the actions cell are mount points for bulk and row
// actions (bulk-actions.tsx, row-actions.tsx), shown to operators only (a viewer can use
// neither). The error message takes the width the other columns leave, cut with an ellipsis
// and whole in its tooltip; on a narrow screen the table scrolls inside its own box.
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import type { DeadLetter } from '@/lib/schemas/dead-letters';
import { useHasRole } from '@/components/auth/actor-context';
import { TimeAgo, useTimeFormat } from '@/components/ui/preferences';
import { displayType } from './display-type';
import { FailedAgainBadge, StatusBadge, ValidityBadge } from './status-badges';
import { DeadLetterRowActions } from './row-actions';
import { visibleText } from '@/components/ui/visible-text';

export function DeadLetterTable({
  items,
  selectedIndex,
  onSelect,
  checked,
  onCheck,
  onCheckAll,
  detailHref,
}: {
  items: DeadLetter[];
  selectedIndex: number;
  onSelect: (index: number) => void;
  checked: Set<string>;
  onCheck: (id: string, on: boolean) => void;
  onCheckAll: (on: boolean) => void;
  detailHref: (id: string) => string;
}) {
  const body = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    body.current?.querySelector('tr[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selectedIndex]);
  const allChecked = items.length > 0 && items.every((d) => checked.has(d.id));
  const operator = useHasRole('operator');
  const { formatTime } = useTimeFormat();

  return (
    // relative: the sr-only header (absolutely positioned) stays inside the scrolling box
    <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
      <table className="w-full border-collapse text-sm" data-testid="dead-letter-table">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {operator ? (
              <th className="w-8 px-2 py-2">
                <input type="checkbox" aria-label="Select all on this page" checked={allChecked} onChange={(e) => onCheckAll(e.target.checked)} />
              </th>
            ) : null}
            <th className="px-2 py-2">Event type</th>
            <th className="px-2 py-2">Queue</th>
            <th className="hidden px-2 py-2 xl:table-cell">Reason</th>
            <th className="w-full px-2 py-2">Error message</th>
            <th className="px-2 py-2 text-right" title="Times RabbitMQ dead-lettered it (retries by EventDesk are on its page)">
              Deaths
            </th>
            <th className="px-2 py-2">Status</th>
            <th className="hidden px-2 py-2 2xl:table-cell">First failed</th>
            <th className="px-2 py-2">Last failed</th>
            <th className="hidden px-2 py-2 xl:table-cell">Validity</th>
            {operator ? (
              <th className="px-2 py-2">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody ref={body}>
          {items.map((d, i) => (
            <tr
              key={d.id}
              data-testid="dead-letter-row"
              data-id={d.id}
              aria-selected={i === selectedIndex}
              onClick={() => onSelect(i)}
              className={`border-t border-slate-100 ${i === selectedIndex ? 'bg-indigo-50 outline outline-1 outline-indigo-300' : 'hover:bg-slate-50'}`}
            >
              {operator ? (
                <td className="px-2 py-1.5" onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    aria-label={`Select ${d.eventType ?? d.id}`}
                    checked={checked.has(d.id)}
                    onChange={(e) => onCheck(d.id, e.target.checked)}
                  />
                </td>
              ) : null}
              <td className="max-w-[16rem] truncate whitespace-nowrap px-2 py-1.5 font-medium" title={d.eventType ?? undefined}>
                <Link href={detailHref(d.id)} className="text-indigo-700 hover:underline">
                  {displayType(d).label}
                </Link>
                {displayType(d).fromRoutingKey ? (
                  <span className="ml-1 text-xs text-slate-500" title="The body could not be read: the type is the routing key's">
                    (routing key)
                  </span>
                ) : null}
                {d.version ? <span className="ml-1 text-xs text-slate-500">v{d.version}</span> : null}
              </td>
              {/* below 1280 px the reason sits under the queue and the validity under the status */}
              <td className="max-w-[14rem] truncate whitespace-nowrap px-2 py-1.5" title={d.queue || undefined}>
                {d.queue ? visibleText(d.queue) : '(none)'}
                <span className="block text-xs text-slate-500 xl:hidden">{d.reason ?? '(none)'}</span>
              </td>
              <td className="hidden whitespace-nowrap px-2 py-1.5 xl:table-cell">{d.reason ?? '(none)'}</td>
              <td className="w-full min-w-[12rem] max-w-0 px-2 py-1.5 font-mono text-xs text-slate-700" title={d.errorMessage ?? ''} data-testid="error-cell">
                <div className="truncate">{d.errorMessage !== null ? visibleText(d.errorMessage) : <span className="text-slate-500">—</span>}</div>
              </td>
              <td className="px-2 py-1.5 text-right tabular-nums" data-testid="row-deaths">
                {d.attempts}
              </td>
              <td className="px-2 py-1.5">
                <StatusBadge status={d.status} />
                {d.failedAgainAfterRetry ? <FailedAgainBadge /> : null}
                <span className="mt-0.5 block xl:hidden">
                  <ValidityBadge validity={d.validationStatus} />
                </span>
              </td>
              <td className="hidden whitespace-nowrap px-2 py-1.5 tabular-nums text-slate-600 2xl:table-cell">{formatTime(d.firstFailedAt)}</td>
              <td className="whitespace-nowrap px-2 py-1.5 text-slate-600" title={`first failed ${formatTime(d.firstFailedAt)}`}>
                <TimeAgo iso={d.lastFailedAt} stacked />
              </td>
              <td className="hidden px-2 py-1.5 xl:table-cell">
                <ValidityBadge validity={d.validationStatus} />
              </td>
              {operator ? (
                <td className="px-2 py-1.5" onClick={(e) => e.stopPropagation()}>
                  <DeadLetterRowActions deadLetter={d} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

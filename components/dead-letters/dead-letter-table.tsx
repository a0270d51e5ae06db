'use client';
// The dead-letter table: one row per dead letter, newest first. The selected row (j/k) is
// marked aria-selected; checkboxes and the actions cell are mount points for bulk and row
// actions (bulk-actions.tsx, row-actions.tsx).
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import type { DeadLetter } from '@/lib/schemas/dead-letters';
import { formatTime } from '@/components/ui/format';
import { displayType } from './display-type';
import { FailedAgainBadge, StatusBadge, ValidityBadge } from './status-badges';
import { DeadLetterRowActions } from './row-actions';

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

  return (
    <div className="overflow-x-auto rounded-md border border-slate-200 bg-white">
      <table className="w-full border-collapse text-sm" data-testid="dead-letter-table">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="w-8 px-2 py-2">
              <input type="checkbox" aria-label="Select all on this page" checked={allChecked} onChange={(e) => onCheckAll(e.target.checked)} />
            </th>
            <th className="px-2 py-2">Event type</th>
            <th className="px-2 py-2">Queue</th>
            <th className="px-2 py-2">Reason</th>
            <th className="px-2 py-2">Error message</th>
            <th className="px-2 py-2 text-right">Attempts</th>
            <th className="px-2 py-2">Status</th>
            <th className="hidden px-2 py-2 2xl:table-cell">First failed</th>
            <th className="px-2 py-2">Last failed</th>
            <th className="px-2 py-2">Validity</th>
            <th className="px-2 py-2">
              <span className="sr-only">Actions</span>
            </th>
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
              <td className="px-2 py-1.5" onClick={(e) => e.stopPropagation()}>
                <input
                  type="checkbox"
                  aria-label={`Select ${d.eventType ?? d.id}`}
                  checked={checked.has(d.id)}
                  onChange={(e) => onCheck(d.id, e.target.checked)}
                />
              </td>
              <td className="whitespace-nowrap px-2 py-1.5 font-medium">
                <Link href={detailHref(d.id)} className="text-indigo-700 hover:underline">
                  {displayType(d).label}
                </Link>
                {displayType(d).fromRoutingKey ? (
                  <span className="ml-1 text-xs text-slate-400" title="The body could not be read: the type is the routing key's">
                    (routing key)
                  </span>
                ) : null}
                {d.version ? <span className="ml-1 text-xs text-slate-400">v{d.version}</span> : null}
              </td>
              <td className="whitespace-nowrap px-2 py-1.5">{d.queue || '(none)'}</td>
              <td className="whitespace-nowrap px-2 py-1.5">{d.reason ?? '(none)'}</td>
              <td className="max-w-[18rem] truncate px-2 py-1.5 font-mono text-xs text-slate-700 2xl:max-w-[28rem]" title={d.errorMessage ?? ''}>
                {d.errorMessage ?? <span className="text-slate-400">—</span>}
              </td>
              <td className="px-2 py-1.5 text-right tabular-nums">{d.attempts}</td>
              <td className="px-2 py-1.5">
                <StatusBadge status={d.status} />
                {d.failedAgainAfterRetry ? <FailedAgainBadge /> : null}
              </td>
              <td className="hidden whitespace-nowrap px-2 py-1.5 tabular-nums text-slate-600 2xl:table-cell">{formatTime(d.firstFailedAt)}</td>
              <td className="whitespace-nowrap px-2 py-1.5 tabular-nums text-slate-600" title={`first failed ${formatTime(d.firstFailedAt)}`}>
                {formatTime(d.lastFailedAt)}
              </td>
              <td className="px-2 py-1.5">
                <ValidityBadge validity={d.validationStatus} />
              </td>
              <td className="px-2 py-1.5" onClick={(e) => e.stopPropagation()}>
                <DeadLetterRowActions deadLetter={d} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

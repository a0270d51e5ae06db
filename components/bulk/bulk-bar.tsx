'use client';
// Bulk actions above the dead-letter list: the checked rows, the whole failure group (when the
// list is filtered by one), or everything matching the current filter. Operators only.
import { useState } from 'react';
import { useHasRole } from '@/components/auth/actor-context';
import { buttonClass } from '@/components/republish/modal';
import type { BulkSelection } from '@/lib/schemas/bulk';
import type { DeadLetterListParams } from '@/lib/schemas/dead-letters';
import { BulkDialog } from './bulk-dialog';

interface Pending {
  action: 'republish' | 'discard';
  selection: BulkSelection;
  what: string;
  clears: boolean;
}

export function BulkBar({
  selectedIds,
  filter,
  clearSelection,
}: {
  selectedIds: string[];
  filter: Omit<DeadLetterListParams, 'cursor' | 'limit'>;
  clearSelection: () => void;
}) {
  const operator = useHasRole('operator');
  const [pending, setPending] = useState<Pending | null>(null);
  if (!operator) return null;
  const n = selectedIds.length;
  const { status: _status, ...matching } = filter;
  const hasFilter = Object.values(matching).some((v) => v !== undefined && v !== '');
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="bulk-bar">
      {n > 0 ? (
        <>
          <span className="text-slate-600">{n} selected</span>
          <button
            type="button"
            className={buttonClass.small}
            onClick={() => setPending({ action: 'republish', selection: { ids: selectedIds }, what: `${n} selected`, clears: true })}
          >
            Retry selected
          </button>
          <button
            type="button"
            className={buttonClass.small}
            onClick={() => setPending({ action: 'discard', selection: { ids: selectedIds }, what: `${n} selected`, clears: true })}
          >
            Discard selected
          </button>
        </>
      ) : null}
      {filter.groupId ? (
        <button
          type="button"
          className={buttonClass.small}
          onClick={() => setPending({ action: 'republish', selection: { groupId: filter.groupId! }, what: 'this failure group', clears: false })}
        >
          Retry group
        </button>
      ) : null}
      {hasFilter ? (
        <button
          type="button"
          className={buttonClass.small}
          onClick={() =>
            setPending({
              action: 'republish',
              selection: { filter: matching as Record<string, string> },
              what: 'everything matching the filter',
              clears: false,
            })
          }
        >
          Retry all matching filter
        </button>
      ) : null}
      {pending ? (
        <BulkDialog
          action={pending.action}
          selection={pending.selection}
          what={pending.what}
          onClose={() => setPending(null)}
          onStarted={() => {
            if (pending.clears) clearSelection();
          }}
        />
      ) : null}
    </div>
  );
}

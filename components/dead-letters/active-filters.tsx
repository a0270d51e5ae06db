'use client';
// Chips for the filters set outside the filter bar (group, correlation id, time) so an operator
// who arrived from a link sees why the list is narrowed, and can drop each one.
import type { DeadLetterListParams, Facets } from '@/lib/schemas/dead-letters';
import { groupName } from '@/components/groups/group-name';
import { useGroup } from '@/components/hooks/use-group';
import { useTimeFormat } from '@/components/ui/preferences';
import type { FilterKey } from './list-params';
import { visibleText } from '@/components/ui/visible-text';

const LABELS: Partial<Record<FilterKey, string>> = { groupId: 'Group', correlationId: 'Correlation id', from: 'From', to: 'To', q: 'Search' };

export function ActiveFilters({
  params,
  onChange,
  facets,
}: {
  params: DeadLetterListParams;
  onChange: (patch: Partial<Record<FilterKey, undefined>>) => void;
  facets: Facets | undefined;
}) {
  const group = useGroup(params.groupId);
  const { formatTime } = useTimeFormat();
  const chips = (Object.keys(LABELS) as FilterKey[]).filter((k) => params[k]);
  if (chips.length === 0) return null;
  // the group by what it is; its id only while it loads, or when no group has it
  const text = (k: FilterKey) =>
    k === 'from' || k === 'to' ? formatTime(params[k]) : k === 'groupId' && group.data ? groupName(group.data) : visibleText(params[k] ?? '');
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs" data-testid="active-filters">
      {chips.map((k) => (
        <span
          key={k}
          data-testid={`filter-chip-${k}`}
          title={k === 'groupId' ? params.groupId : undefined}
          className="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-2 py-0.5 text-indigo-800 ring-1 ring-indigo-200"
        >
          {LABELS[k]}: <span className={k === 'groupId' && group.data ? '' : 'font-mono'}>{text(k)}</span>
          <button
            type="button"
            aria-label={`Remove ${LABELS[k]} filter`}
            onClick={() => onChange({ [k]: undefined })}
            className="ml-0.5 text-indigo-500 hover:text-indigo-900"
          >
            ×
          </button>
        </span>
      ))}
      {facets?.ignoredFilters.length ? (
        <span className="text-slate-500" title="Counts beside the filter values come from the failure-group rollups">
          Counts beside the filters do not apply: {facets.ignoredFilters.join(', ')}
        </span>
      ) : null}
    </div>
  );
}

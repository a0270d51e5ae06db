'use client';
// Filters of the dead-letter list, each with its count per value. Every change goes to the
// URL (via onChange) and resets paging to the newest page.
import { useEffect, useRef, useState, type RefObject } from 'react';
import {
  DEAD_LETTER_REASONS,
  DEAD_LETTER_STATUSES,
  PAGE_SIZES,
  VALIDITY_VALUES,
  type DeadLetterListParams,
  type FacetValue,
  type Facets,
} from '@/lib/schemas/dead-letters';
import { formatCount } from '@/components/ui/format';
import type { FilterKey } from './list-params';
import { visibleText } from '@/components/ui/visible-text';
import { useHasRole } from '@/components/auth/actor-context';

const RANGES = [
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
];

/** datetime-local works in local time; the URL holds ISO instants. */
const toLocalInput = (iso?: string) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : undefined);

function options(values: readonly string[], facet: FacetValue[] | undefined, current: string | undefined) {
  const counts = new Map((facet ?? []).map((f) => [f.value, f]));
  const all = [...values];
  for (const f of facet ?? []) if (!all.includes(f.value)) all.push(f.value);
  if (current && !all.includes(current)) all.push(current);
  return all.map((v) => {
    const c = counts.get(v);
    // the count is of dead letters the list shows with this value added to the other filters
    const n = c?.count ?? 0;
    // the label as a person may read it (a queue "payment-service\u202E" looked like another); the value stays
    const shown = visibleText(v);
    return { value: v, label: facet ? `${shown} (${formatCount(n, c?.capped)} ${n === 1 && !c?.capped ? 'dead letter' : 'dead letters'})` : shown };
  });
}

export function FilterBar({
  params,
  facets,
  onChange,
  searchRef,
}: {
  params: DeadLetterListParams;
  facets: Facets | undefined;
  onChange: (patch: Partial<Record<FilterKey | 'limit', string | number | undefined>>) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const [q, setQ] = useState(params.q ?? '');
  const typing = useRef(false);
  // viewers search what they are shown: masked values (MASK_FIELDS, email addresses) find nothing
  const masked = !useHasRole('operator');
  // follow the URL (back button, links) unless the operator is typing
  useEffect(() => {
    if (!typing.current) setQ(params.q ?? '');
  }, [params.q]);
  useEffect(() => {
    if (!typing.current) return;
    const t = setTimeout(() => {
      typing.current = false;
      if ((params.q ?? '') !== q.trim()) onChange({ q: q.trim() || undefined });
    }, 500);
    return () => clearTimeout(t);
  }, [q, params.q, onChange]);

  const [custom, setCustom] = useState(false);
  const rangeValue = params.from || params.to ? 'custom' : custom ? 'custom' : '';
  const f = facets?.facets;
  // the DLQ filter only where there is a choice: several DLQs configured (DLQ_QUEUE) or stored
  const severalDlqs = (f?.dlq?.length ?? 0) > 1 || !!params.dlq;

  const select = (key: FilterKey, label: string, allLabel: string, opts: { value: string; label: string }[]) => (
    <label className="flex flex-col text-xs text-slate-500">
      {label}
      <select
        aria-label={label}
        value={params[key] ?? ''}
        onChange={(e) => onChange({ [key]: e.target.value || undefined })}
        className="mt-0.5 max-w-[14rem] rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
      >
        <option value="">{allLabel}</option>
        {opts.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <form
      role="search"
      className="flex flex-wrap items-end gap-3 rounded-md border border-slate-200 bg-white px-3 py-2"
      onSubmit={(e) => {
        e.preventDefault();
        typing.current = false;
        onChange({ q: q.trim() || undefined });
      }}
    >
      <label className="flex min-w-[16rem] flex-1 flex-col text-xs text-slate-500">
        Search body and error message <span className="sr-only">(press / to focus)</span>
        <input
          ref={searchRef}
          type="search"
          aria-label="Search"
          placeholder="Search… (press /)"
          value={q}
          onChange={(e) => {
            typing.current = true;
            setQ(e.target.value);
          }}
          className="mt-0.5 rounded border border-slate-300 px-2 py-1 text-sm text-slate-900"
        />
        {masked && (
          <span data-testid="masked-search-note" className="mt-0.5 text-[11px] text-slate-500">
            Masked values are not searched
          </span>
        )}
      </label>
      {select('eventType', 'Event type', 'All types', options([], f?.eventType, params.eventType))}
      {select('queue', 'Queue', 'All queues', options([], f?.queue, params.queue))}
      {severalDlqs ? select('dlq', 'DLQ', 'All DLQs', options([], f?.dlq, params.dlq)) : null}
      {select('reason', 'Reason', 'All reasons', options(DEAD_LETTER_REASONS, f?.reason, params.reason))}
      {select('status', 'Status', 'Any status', options(DEAD_LETTER_STATUSES, f?.status, params.status))}
      {select('validity', 'Validity', 'Any validity', options(VALIDITY_VALUES, f?.validity, params.validity))}
      <label className="flex items-center gap-1 self-center pt-3 text-sm text-slate-700">
        <input
          type="checkbox"
          aria-label="Failed again after retry"
          checked={params.failedAgain === 'true'}
          onChange={(e) => onChange({ failedAgain: e.target.checked ? 'true' : undefined })}
        />
        Failed again after retry
      </label>
      <label className="flex flex-col text-xs text-slate-500">
        Time
        <select
          aria-label="Time range"
          value={rangeValue}
          onChange={(e) => {
            const r = RANGES.find((x) => x.value === e.target.value);
            if (e.target.value === 'custom') return setCustom(true);
            setCustom(false);
            onChange({ from: r ? new Date(Date.now() - r.ms).toISOString() : undefined, to: undefined });
          }}
          className="mt-0.5 rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
        >
          <option value="">Any time</option>
          {RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
      </label>
      {rangeValue === 'custom' ? (
        <>
          <label className="flex flex-col text-xs text-slate-500">
            From
            <input
              type="datetime-local"
              aria-label="From"
              value={toLocalInput(params.from)}
              onChange={(e) => onChange({ from: fromLocalInput(e.target.value) })}
              className="mt-0.5 rounded border border-slate-300 px-2 py-1 text-sm text-slate-900"
            />
          </label>
          <label className="flex flex-col text-xs text-slate-500">
            To
            <input
              type="datetime-local"
              aria-label="To"
              value={toLocalInput(params.to)}
              onChange={(e) => onChange({ to: fromLocalInput(e.target.value) })}
              className="mt-0.5 rounded border border-slate-300 px-2 py-1 text-sm text-slate-900"
            />
          </label>
        </>
      ) : null}
      <label className="flex flex-col text-xs text-slate-500">
        Per page
        <select
          aria-label="Page size"
          value={params.limit ?? 50}
          onChange={(e) => onChange({ limit: Number(e.target.value) === 50 ? undefined : Number(e.target.value) })}
          className="mt-0.5 rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}

'use client';
// The console's main page: status strip, filters with counts, the newest dead letters, keyset
// paging, live refresh. Keyboard: j/k move, Enter opens, / searches, Esc clears.
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DeadLetterListParams } from '@/lib/schemas/dead-letters';
import { useDeadLetters } from '@/components/hooks/use-dead-letters';
import { useDeadLetterFacets } from '@/components/hooks/use-dead-letter-facets';
import { useHealth } from '@/components/hooks/use-health';
import { StateMessage } from '@/components/ui/state-message';
import { formatCount } from '@/components/ui/format';
import { DeadLetterTable } from './dead-letter-table';
import { DeadLetterBulkActions } from './bulk-actions';
import { FilterBar } from './filter-bar';
import { filterOf, listHref, readListParams, type FilterKey } from './list-params';
import { StatusStrip, drainAdvice } from './status-strip';
import { ActiveFilters } from './active-filters';
import { ExportLinks } from '@/components/ui/export-links';

const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function DeadLetterListView() {
  const router = useRouter();
  const sp = useSearchParams();
  const params = useMemo(() => readListParams(new URLSearchParams(sp.toString())), [sp]);
  const filter = useMemo(() => filterOf(params), [params]);
  const list = useDeadLetters(params);
  const facets = useDeadLetterFacets(filter);
  const health = useHealth();
  const searchRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState(-1);
  const [checked, setChecked] = useState<Set<string>>(new Set());

  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const listQs = sp.toString();
  const detailHref = useCallback((id: string) => `/dead-letters/${id}${listQs ? `?list=${encodeURIComponent(listQs)}` : ''}`, [listQs]);

  const go = useCallback((p: DeadLetterListParams) => router.replace(listHref(p), { scroll: false }), [router]);
  // a filter change keeps the page where it is; a page change (its buttons are under the table)
  // brings the table's top into view, where the new page begins
  const pagesTop = useRef<HTMLDivElement>(null);
  const goPage = (p: DeadLetterListParams) => {
    go(p);
    pagesTop.current?.scrollIntoView({ block: 'start' });
  };
  // how many the current filters match: the status facet's count, counted with every other filter
  const statusCounts = facets.data?.facets.status;
  const matching = statusCounts
    ? params.status
      ? (statusCounts.find((v) => v.value === params.status)?.count ?? 0)
      : statusCounts.reduce((n, v) => n + v.count, 0)
    : null;
  const change = useCallback(
    (patch: Partial<Record<FilterKey | 'limit', string | number | undefined>>) => {
      const next = { ...params, ...patch, cursor: undefined } as DeadLetterListParams;
      setSelected(-1);
      go(next);
    },
    [params, go],
  );

  // the selection follows the page; new rows arriving on top keep the same row selected
  const selectedId = useRef<string | null>(null);
  useEffect(() => {
    if (selectedId.current === null) return;
    const i = items.findIndex((d) => d.id === selectedId.current);
    if (i >= 0 && i !== selected) setSelected(i);
  }, [items, selected]);
  const select = useCallback(
    (i: number) => {
      setSelected(i);
      selectedId.current = items[i]?.id ?? null;
    },
    [items],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'Escape') {
        if (isTyping(e.target)) (e.target as HTMLElement).blur();
        else select(-1);
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (e.key === 'j') {
        select(Math.min(selected + 1, items.length - 1));
      } else if (e.key === 'k') {
        select(Math.max(selected - 1, 0));
      } else if (e.key === 'Enter' && selected >= 0 && items[selected]) {
        router.push(detailHref(items[selected].id));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, selected, select, router, detailHref]);

  const advice = drainAdvice(health.data, health.isError);
  const filtered = Object.keys(filter).length > 0;

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between">
        <h1 className="text-lg font-semibold">Dead letters</h1>
        <p className="text-xs text-slate-500">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>/</kbd> search · <kbd>Esc</kbd> clear
          {list.isFetching ? <span className="ml-2 text-indigo-600">refreshing…</span> : null}
        </p>
      </div>
      <StatusStrip health={health.data} healthError={health.isError} stored={facets.data?.total} pending={facets.data?.pending} />
      {advice ? (
        <div role="alert" data-testid="drain-advice" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {advice}
        </div>
      ) : null}
      <FilterBar params={params} facets={facets.data} onChange={change} searchRef={searchRef} />
      <div className="flex flex-wrap items-start justify-between gap-2">
        <ActiveFilters params={params} onChange={change} facets={facets.data} />
        <div className="ml-auto">
          <ExportLinks path="/api/dead-letters/export" filters={filter} label="the dead letters these filters select" />
        </div>
      </div>
      <DeadLetterBulkActions selectedIds={[...checked]} filter={filter} clearSelection={() => setChecked(new Set())} />

      {list.isError && !list.data ? (
        <StateMessage tone="error" title="Could not load dead letters" testId="list-error">
          {list.error.message}.{' '}
          {(list.error as { status?: number }).status === 400
            ? 'A filter in the address is not valid: clear the filters.'
            : 'Retrying every 5 seconds; check the server log if this persists.'}
        </StateMessage>
      ) : list.isPending ? (
        <StateMessage tone="loading" title="Loading dead letters…" testId="list-loading" />
      ) : items.length === 0 && list.data?.searchedRows && list.data.nextCursor ? (
        <StateMessage tone="empty" title={`No matches among the ${formatCount(list.data.searchedRows)} newest dead letters of this view`} testId="list-empty">
          The words are common elsewhere but not here.{' '}
          <button type="button" className="text-indigo-700 underline" onClick={() => go({ ...params, cursor: list.data.nextCursor! })}>
            Search older ones
          </button>
          , or narrow the time range.
        </StateMessage>
      ) : items.length === 0 ? (
        filtered || params.cursor ? (
          <StateMessage tone="empty" title="No dead letters match these filters" testId="list-empty">
            Widen the time range, check the search words, or{' '}
            <button type="button" className="text-indigo-700 underline" onClick={() => go({})}>
              clear all filters
            </button>
            .
          </StateMessage>
        ) : (
          <StateMessage tone="empty" title="No dead letters stored" testId="list-empty">
            {advice ??
              'Nothing has reached the dead-letter queue yet, or the drain has not stored it. The page refreshes every 5 seconds; run `npm run demo` to produce some.'}
          </StateMessage>
        )
      ) : (
        <>
          <div ref={pagesTop} className="scroll-mt-4" aria-hidden />
          {list.isError ? (
            <p role="alert" className="text-xs text-rose-700">
              Refresh failed ({list.error.message}); showing the last result.
            </p>
          ) : null}
          <DeadLetterTable
            items={items}
            selectedIndex={selected}
            onSelect={select}
            checked={checked}
            onCheck={(id, on) =>
              setChecked((s) => {
                const n = new Set(s);
                if (on) n.add(id);
                else n.delete(id);
                return n;
              })
            }
            onCheckAll={(on) => setChecked(on ? new Set(items.map((d) => d.id)) : new Set())}
            detailHref={detailHref}
          />
        </>
      )}
      <nav aria-label="Pages" className="flex items-center justify-between text-sm">
        <span className="text-xs text-slate-500" data-testid="page-info">
          {items.length} shown{matching !== null ? ` of ${formatCount(matching)}` : ''}
          {params.cursor ? '' : ' · newest first'}
          {list.data?.searchedRows ? ` · searched ${formatCount(list.data.searchedRows)} dead letters; Next → searches older ones` : ''}
        </span>
        <div className="flex gap-2">
          <button
            type="button"
            disabled={!params.cursor}
            onClick={() => goPage({ ...params, cursor: undefined })}
            className="rounded border border-slate-300 bg-white px-2 py-1 disabled:opacity-40"
          >
            Newest
          </button>
          <button
            type="button"
            disabled={!list.data?.prevCursor}
            onClick={() => goPage({ ...params, cursor: list.data!.prevCursor! })}
            className="rounded border border-slate-300 bg-white px-2 py-1 disabled:opacity-40"
          >
            ← Previous
          </button>
          <button
            type="button"
            disabled={!list.data?.nextCursor}
            onClick={() => goPage({ ...params, cursor: list.data!.nextCursor! })}
            className="rounded border border-slate-300 bg-white px-2 py-1 disabled:opacity-40"
          >
            Next →
          </button>
        </div>
      </nav>
    </div>
  );
}

'use client';
// The throughput page: published and dead-lettered per second per event type, the error rate,
// a per-type table and the queues panel. Polls every 5 s; the range lives in the URL (?range=).
import { useMemo, useState } from 'react';
import { ALL_TYPES_COLOR, seriesColor } from '@/components/charts/series-colors';
import { RateChart, type ChartSeries } from '@/components/charts/rate-chart';
import { SeriesLegend } from '@/components/charts/series-legend';
import { useThroughput } from '@/components/hooks/use-throughput';
import { useThroughputSummary } from '@/components/hooks/use-throughput-summary';
import { QueuesPanel } from '@/components/queues/queues-panel';
import type { ThroughputRange } from '@/lib/schemas/stats';
import { deadKey, errorRateAllKey, errorRateKey, publishedKey, toChartRows } from './to-chart-rows';
import { NoTraffic } from './no-traffic';
import { RangePicker } from './range-picker';
import { TypeTable } from './type-table';

export function ThroughputView({ initialRange }: { initialRange: ThroughputRange }) {
  const [range, setRange] = useState<ThroughputRange>(initialRange);
  const [stacked, setStacked] = useState(true);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const throughput = useThroughput(range);
  const summary = useThroughputSummary();
  const chart = useMemo(() => (throughput.data ? toChartRows(throughput.data) : null), [throughput.data]);
  const colorOf = useMemo(() => {
    const m = new Map((chart?.types ?? []).map((t, i) => [t, seriesColor(i)]));
    return (t: string) => m.get(t);
  }, [chart]);

  const changeRange = (r: ThroughputRange) => {
    setRange(r);
    const url = new URL(window.location.href);
    url.searchParams.set('range', r);
    window.history.replaceState(null, '', url);
  };
  const toggle = (type: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });
  const seriesFor = (key: (i: number) => string): ChartSeries[] =>
    (chart?.types ?? []).map((t, i) => ({ key: key(i), name: t, color: seriesColor(i), hidden: hidden.has(t) }));
  const hasTraffic = (chart?.types.length ?? 0) > 0 || (summary.data?.items.length ?? 0) > 0;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-lg font-semibold">Throughput</h1>
        <div className="flex items-center gap-3 text-xs">
          <label className="inline-flex items-center gap-1">
            <input type="checkbox" checked={stacked} onChange={(e) => setStacked(e.target.checked)} data-testid="stacked-toggle" />
            stacked
          </label>
          <RangePicker value={range} onChange={changeRange} />
        </div>
      </div>
      {throughput.error ? (
        <p role="alert" className="rounded border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {throughput.error.message}
        </p>
      ) : null}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-4 xl:grid-cols-[minmax(0,1fr)_32rem]">
        <div className="space-y-4">
          <section aria-label="Charts" className="space-y-3 rounded-md border border-slate-200 bg-white p-3">
            <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1 text-sm">
              <span>
                Published in range:{' '}
                <strong data-testid="published-in-range" className="tabular-nums">
                  {chart ? chart.publishedTotal.toLocaleString('en-US') : '…'}
                </strong>
              </span>
              <span>
                Deaths:{' '}
                <strong data-testid="dead-lettered-in-range" className="tabular-nums text-rose-700">
                  {chart ? chart.deadLetteredTotal.toLocaleString('en-US') : '…'}
                </strong>
              </span>
              <span className="text-xs text-slate-500">
                {throughput.data ? `${throughput.data.bucketSeconds} s buckets · refreshed every 5 s` : 'loading…'}
                {throughput.isFetching ? ' · updating' : ''}
              </span>
            </div>
            {chart && chart.types.length > 0 ? (
              <>
                <SeriesLegend
                  items={chart.types.map((t, i) => ({ name: t, color: seriesColor(i), hidden: hidden.has(t) }))}
                  onToggle={toggle}
                  onShowAll={() => setHidden(new Set())}
                />
                <RateChart
                  testId="chart-published"
                  label="Published per second"
                  rows={chart.rows}
                  series={seriesFor(publishedKey)}
                  stacked={stacked}
                  unit="/s"
                  bucketSeconds={throughput.data!.bucketSeconds}
                />
                <RateChart
                  testId="chart-dead-lettered"
                  label="Deaths per second (each time RabbitMQ dead-lettered an event, per queue)"
                  rows={chart.rows}
                  series={seriesFor(deadKey)}
                  stacked={stacked}
                  unit="/s"
                  bucketSeconds={throughput.data!.bucketSeconds}
                  height={160}
                />
                <RateChart
                  testId="chart-error-rate"
                  label="Error rate (failed events / published events; each event once, whichever queue; red dashed: all types)"
                  rows={chart.rows}
                  series={[{ key: errorRateAllKey, name: 'all types', color: ALL_TYPES_COLOR, emphasis: true }, ...seriesFor(errorRateKey)]}
                  stacked={false}
                  unit="%"
                  bucketSeconds={throughput.data!.bucketSeconds}
                  height={140}
                />
              </>
            ) : chart ? (
              hasTraffic ? (
                <p className="text-sm text-slate-600" role="status">
                  No events in this range. Pick a longer one.
                </p>
              ) : (
                <NoTraffic tap={summary.data?.tap ?? null} />
              )
            ) : null}
          </section>
          <section aria-label="Event types" className="rounded-md border border-slate-200 bg-white p-3">
            <h2 className="mb-2 text-sm font-semibold">Per event type</h2>
            {summary.data && summary.data.items.length > 0 ? (
              <TypeTable items={summary.data.items} colorOf={colorOf} />
            ) : (
              <p className="text-sm text-slate-500">{summary.isPending ? 'Loading…' : 'No events in the last hour.'}</p>
            )}
          </section>
        </div>
        <QueuesPanel />
      </div>
    </div>
  );
}

// Turns the API's sparse (bucket, type) counts into chart rows: every bucket of the range
// present (zeros filled), values per second, and keys by type index (recharts reads dots in a
// dataKey as a path, and event types have dots). The error rate is failed events over published
// events: each event counted once whichever queue it died in, so it stays within 0-100 %; per
// type, and over all types (errorRateAllKey: what the platform as a whole lost in that bucket).
import type { Throughput } from '@/lib/schemas/stats';

export interface ChartRow {
  /** bucket start, ms */
  t: number;
  [key: string]: number;
}

export interface TypeTotals {
  eventType: string;
  published: number;
  deadLettered: number;
  failedEvents: number;
}

export interface ChartData {
  types: string[];
  rows: ChartRow[];
  totals: TypeTotals[];
  publishedTotal: number;
  deadLetteredTotal: number;
}

export const publishedKey = (i: number) => `p${i}`;
export const deadKey = (i: number) => `d${i}`;
export const errorRateKey = (i: number) => `e${i}`;
/** failed events / published events over every type, per bucket */
export const errorRateAllKey = 'eAll';
/** failed events per bucket (kept to compute the error rate, not drawn) */
const failedKey = (i: number) => `f${i}`;

export function toChartRows(data: Throughput): ChartData {
  const step = data.bucketSeconds * 1000;
  const totals = new Map<string, TypeTotals>();
  for (const p of data.series) {
    const t = totals.get(p.eventType) ?? { eventType: p.eventType, published: 0, deadLettered: 0, failedEvents: 0 };
    t.published += p.published;
    t.deadLettered += p.deadLettered;
    t.failedEvents += p.failedEvents;
    totals.set(p.eventType, t);
  }
  // Busiest first: stable colours for the big ones, and the legend reads by importance.
  const ordered = [...totals.values()].sort((a, b) => b.published - a.published || a.eventType.localeCompare(b.eventType));
  const types = ordered.map((t) => t.eventType);
  const index = new Map(types.map((t, i) => [t, i]));

  const start = Math.floor(new Date(data.from).getTime() / step) * step;
  const end = new Date(data.to).getTime();
  const rows = new Map<number, ChartRow>();
  const blank = (t: number): ChartRow => {
    const row: ChartRow = { t, [errorRateAllKey]: 0 };
    types.forEach((_, i) => {
      row[publishedKey(i)] = 0;
      row[deadKey(i)] = 0;
      row[failedKey(i)] = 0;
      row[errorRateKey(i)] = 0;
    });
    return row;
  };
  for (let t = start; t < end; t += step) rows.set(t, blank(t));
  for (const p of data.series) {
    const t = new Date(p.t).getTime();
    const row = rows.get(t) ?? blank(t);
    rows.set(t, row);
    const i = index.get(p.eventType)!;
    row[publishedKey(i)] += p.published / data.bucketSeconds;
    row[deadKey(i)] += p.deadLettered / data.bucketSeconds;
    row[failedKey(i)] += p.failedEvents;
  }
  const rate = (failed: number, published: number) => (published > 0 ? Math.min(100, (100 * failed) / published) : 0);
  for (const row of rows.values()) {
    let published = 0;
    let failed = 0;
    types.forEach((_, i) => {
      const p = row[publishedKey(i)] * data.bucketSeconds;
      row[errorRateKey(i)] = rate(row[failedKey(i)], p);
      published += p;
      failed += row[failedKey(i)];
    });
    row[errorRateAllKey] = rate(failed, published);
  }
  return {
    types,
    rows: [...rows.values()].sort((a, b) => a.t - b.t),
    totals: ordered,
    publishedTotal: ordered.reduce((a, t) => a + t.published, 0),
    deadLetteredTotal: ordered.reduce((a, t) => a + t.deadLettered, 0),
  };
}

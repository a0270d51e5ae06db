'use client';
// Per event type: rate now, last hour, errors, error rate, p95 processing time where known.
// The type links to its dead letters.
import Link from 'next/link';
import type { TypeSummary } from '@/lib/schemas/stats';
import { formatPercent, formatRate, formatSeconds } from './format-rate';

export function TypeTable({ items, colorOf }: { items: TypeSummary[]; colorOf: (type: string) => string | undefined }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" data-testid="type-table">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
            <th className="py-1 pr-2 font-medium">Event type</th>
            <th className="py-1 pr-2 text-right font-medium">Rate now</th>
            <th className="py-1 pr-2 text-right font-medium">Last hour</th>
            <th
              className="py-1 pr-2 text-right font-medium"
              title="Times RabbitMQ dead-lettered events of this type: once per consumer queue, and again after a retry"
            >
              Deaths (1 h)
            </th>
            <th className="py-1 pr-2 text-right font-medium" title="Events of this type that failed, each counted once whichever queue it died in">
              Failed events (1 h)
            </th>
            <th className="py-1 pr-2 text-right font-medium" title="Failed events / published events over the last hour">
              Error rate
            </th>
            <th className="py-1 text-right font-medium" title="p95 processing time, where the platform library reports it">
              p95
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.eventType} className="border-b border-slate-100" data-testid={`type-row-${r.eventType}`}>
              <td className="py-1 pr-2">
                <Link
                  href={`/?eventType=${encodeURIComponent(r.eventType)}`}
                  className="inline-flex items-center gap-1.5 text-indigo-700 hover:underline"
                  title="Dead letters of this type"
                >
                  <span aria-hidden className="inline-block h-2 w-2 rounded-sm" style={{ backgroundColor: colorOf(r.eventType) ?? '#94a3b8' }} />
                  {r.eventType}
                </Link>
              </td>
              <td className="py-1 pr-2 text-right tabular-nums" data-testid="rate-now">
                {formatRate(r.ratePerSecond)}
              </td>
              <td className="py-1 pr-2 text-right tabular-nums" data-testid="published-hour">
                {r.publishedLastHour.toLocaleString('en-US')}
              </td>
              <td className={`py-1 pr-2 text-right tabular-nums ${r.deadLetteredLastHour > 0 ? 'text-rose-700' : ''}`} data-testid="errors-hour">
                {r.deadLetteredLastHour.toLocaleString('en-US')}
              </td>
              <td className="py-1 pr-2 text-right tabular-nums" data-testid="failed-events-hour">
                {r.failedEventsLastHour.toLocaleString('en-US')}
              </td>
              <td className="py-1 pr-2 text-right tabular-nums">{formatPercent(r.errorRate)}</td>
              <td className="py-1 text-right tabular-nums">{formatSeconds(r.p95Seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// GET /api/stats/summary: the throughput page's per-type table (rate now, last hour, errors,
// error rate, p95 processing time where known) and whether this process's tap is counting.
import 'server-only';
import { querySummary, type SqlQuery } from '@/lib/bus/tap-rollups';
import { runningTap } from '@/lib/bus/tap-start';
import { platformP95ByType } from '@/lib/metrics/platform-p95';
import { processingP95ByType } from '@/lib/metrics/processing-p95';
import { env } from '@/lib/env';
import type { Summary } from '@/lib/schemas/stats';
import { prismaQuery } from './sql-query';

export async function getSummary(query: SqlQuery = prismaQuery, now = new Date()): Promise<Summary> {
  const [rows, local, platform] = await Promise.all([querySummary(query, now), processingP95ByType(), platformP95ByType(env().PLATFORM_METRICS_URLS)]);
  // the services' own endpoints know best; in-process observations fill in
  const p95 = new Map([...local, ...platform]);
  const tap = runningTap()?.status() ?? null;
  return {
    items: rows.map((r) => ({
      ...r,
      // each event once, whichever queue it died in: never above 100 % (deaths over events were)
      errorRate: r.publishedLastHour > 0 ? Math.min(1, r.failedEventsLastHour / r.publishedLastHour) : null,
      p95Seconds: p95.get(r.eventType) ?? null,
    })),
    tap: tap && { state: tap.state, queue: tap.queue, exchange: tap.exchange, lastFlushAt: tap.lastFlushAt?.toISOString() ?? null },
  };
}

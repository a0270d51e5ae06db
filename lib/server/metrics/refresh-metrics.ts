// Brings the metrics that live elsewhere (PostgreSQL, the broker, the drainer) up to date right
// before a scrape. Each source is independent: one failing leaves its series as they were and
// the scrape still answers.
import 'server-only';
import { currentDrainStatuses, sumDrainStatus } from '@/lib/bus/drain-status';
import { logger } from '@/lib/log';
import { listQueues } from '@/lib/server/queues/list-queues';
import { prisma } from '@/lib/server/db';
import { metrics } from '@/lib/metrics/registry';

const drainSamples = globalThis as unknown as { __eventdeskDrainSamples?: { at: number; total: number }[] };

const scrapes = globalThis as unknown as { __eventdeskMetricsScrape?: Promise<unknown> };
/** Longest wait for the scrape before. */
const SCRAPE_WAIT_MS = 20_000;

/**
 * One scrape: refreshes, then renders the registry's text, one scrape at a time. refreshMetrics
 * resets series and sets them again across awaits, so two at once interleaved (an HA pair of
 * Prometheus servers): a counter read 1000, 2000 ... 8000 under 8 concurrent scrapes (found by
 * a probe), which Prometheus takes for resets and rate spikes.
 */
export function scrapeMetrics(): Promise<string> {
  const before = scrapes.__eventdeskMetricsScrape ?? Promise.resolve();
  // a scrape stuck past this (its sources time out well before) holds the next one no longer
  let timer: NodeJS.Timeout | undefined;
  const waited = Promise.race([before.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, SCRAPE_WAIT_MS)))]).finally(() => clearTimeout(timer));
  const run = waited.then(async () => {
    await refreshMetrics();
    return metrics().registry.metrics();
  });
  scrapes.__eventdeskMetricsScrape = run;
  return run;
}

export async function refreshMetrics(now = Date.now()): Promise<void> {
  const m = metrics();
  await Promise.all([
    guard('dead letters', async () => {
      // Counts maintained on write by the drain (failure_groups), so a scrape never counts rows;
      // plus what retention purged from them (lib/bus/retention.ts): a counter never goes down.
      const rows = await prisma.$queryRaw<{ event_type: string; queue: string; count: number; pending: number }[]>`
        SELECT "event_type", "queue", sum("count")::float8 AS count, sum("pending")::float8 AS pending FROM (
          SELECT "event_type", "queue", "count", "pending_count" AS "pending" FROM "failure_groups"
          UNION ALL
          SELECT "a", "b", "n", 0 FROM "purged_counts" WHERE "source" = 'processing-errors'
        ) c GROUP BY 1, 2`;
      m.dlqMessages.reset();
      m.processingErrors.reset();
      for (const r of rows) {
        const labels = { event_type: r.event_type, queue: r.queue || '(none)' };
        m.dlqMessages.set(labels, Number(r.pending));
        m.processingErrors.inc(labels, Number(r.count));
      }
    }),
    guard('republishes', async () => {
      const rows = await prisma.$queryRaw<{ target_kind: string; state: string; n: number }[]>`
        SELECT "target_kind", "state", sum(n)::float8 AS n FROM (
          SELECT "target_kind", "state", count(*) AS n FROM "republish_intents" WHERE "state" <> 'pending' GROUP BY 1, 2
          UNION ALL -- what retention purged (lib/bus/retention.ts): a counter never goes down
          SELECT "a", "b", "n" FROM "purged_counts" WHERE "source" = 'republish'
        ) c GROUP BY 1, 2`;
      m.republished.reset();
      m.republishFailures.reset();
      for (const r of rows) {
        if (r.state === 'done') m.republished.inc({ target: r.target_kind }, Number(r.n));
        else m.republishFailures.inc({ target: r.target_kind }, Number(r.n));
      }
    }),
    guard('bulk jobs', async () => {
      const rows = await prisma.$queryRaw<{ id: string; action: string; status: string; total: number; succeeded: number; failed: number; skipped: number }[]>`
        SELECT "id"::text, "action", "status", "total", "succeeded", "failed", "skipped" FROM "bulk_jobs"`;
      m.bulkJobs.reset();
      m.bulkItems.reset();
      m.bulkProgress.reset();
      const byStatus = new Map<string, number>();
      for (const j of rows) {
        byStatus.set(j.status, (byStatus.get(j.status) ?? 0) + 1);
        m.bulkItems.inc({ action: j.action, outcome: 'succeeded' }, j.succeeded);
        m.bulkItems.inc({ action: j.action, outcome: 'failed' }, j.failed);
        m.bulkItems.inc({ action: j.action, outcome: 'skipped' }, j.skipped);
        if (['queued', 'running', 'paused'].includes(j.status)) {
          const done = j.succeeded + j.failed + j.skipped;
          m.bulkProgress.set({ job_id: j.id, action: j.action, status: j.status }, j.total > 0 ? Math.min(1, done / j.total) : 0);
        }
      }
      for (const [status, n] of byStatus) m.bulkJobs.set({ status }, n);
      // items of jobs retention purged (lib/bus/retention.ts): the counter never goes down
      const purged = await prisma.$queryRaw<{ a: string; b: 'succeeded' | 'failed' | 'skipped'; n: bigint }[]>`
        SELECT "a", "b", "n" FROM "purged_counts" WHERE "source" = 'bulk-items'`;
      for (const p of purged) m.bulkItems.inc({ action: p.a, outcome: p.b }, Number(p.n));
    }),
    guard('queues', async () => {
      const { items } = await listQueues();
      m.queueMessages.reset();
      m.queueConsumers.reset();
      for (const q of items.filter((i) => i.exists)) {
        m.queueMessages.set({ queue: q.name }, q.messages);
        m.queueConsumers.set({ queue: q.name }, q.consumers);
      }
    }),
  ]);
  const perDlq = currentDrainStatuses();
  const drain = perDlq ? sumDrainStatus(perDlq) : null;
  if (perDlq && drain) {
    m.dlqDrainedTotal.reset();
    m.dlqParkedTotal.reset();
    m.dlqDepth.reset();
    for (const s of perDlq) {
      m.dlqDrainedTotal.inc({ dlq: s.queue }, s.drainedTotal);
      m.dlqParkedTotal.inc({ dlq: s.queue }, s.parkedTotal);
      if (s.dlqDepth !== null) m.dlqDepth.set({ dlq: s.queue }, s.dlqDepth);
    }
    // The drainer keeps the count; mirror it (a counter that restarts with the process).
    m.drainedTotal.reset();
    m.drainedTotal.inc(drain.drainedTotal);
    m.drainParkedTotal.reset();
    m.drainParkedTotal.inc(drain.parkedTotal);
    const samples = (drainSamples.__eventdeskDrainSamples ??= []);
    samples.push({ at: now, total: drain.drainedTotal });
    while (samples.length > 2 && now - samples[1].at >= 60_000) samples.shift();
    const first = samples[0];
    m.drainRate.set(now > first.at ? ((drain.drainedTotal - first.total) * 1000) / (now - first.at) : 0);
  }
}

async function guard(source: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    logger.warn({ err: (err as Error).message, source }, 'metrics source unavailable for this scrape');
  }
}

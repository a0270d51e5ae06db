// Brings the metrics that live elsewhere (PostgreSQL, the broker, the drainer) up to date right
// before a scrape. Each source is independent: one failing leaves its series as they were and
// the scrape still answers.
import 'server-only';
import { currentDrainStatus } from '@/lib/bus/drain-status';
import { logger } from '@/lib/log';
import { listQueues } from '@/lib/server/queues/list-queues';
import { prisma } from '@/lib/server/db';
import { metrics } from './registry';

const drainSamples = globalThis as unknown as { __eventdeskDrainSamples?: { at: number; total: number }[] };

export async function refreshMetrics(now = Date.now()): Promise<void> {
  const m = metrics();
  await Promise.all([
    guard('dead letters', async () => {
      // Counts maintained on write by the drain (failure_groups), so a scrape never counts rows.
      const rows = await prisma.$queryRaw<{ event_type: string; queue: string; count: number; pending: number }[]>`
        SELECT "event_type", "queue", sum("count")::float8 AS count, sum("pending_count")::float8 AS pending
        FROM "failure_groups" GROUP BY 1, 2`;
      m.dlqMessages.reset();
      m.processingErrors.reset();
      for (const r of rows) {
        const labels = { event_type: r.event_type, queue: r.queue || '(none)' };
        m.dlqMessages.set(labels, Number(r.pending));
        m.processingErrors.inc(labels, Number(r.count));
      }
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
  const drain = currentDrainStatus();
  if (drain) {
    // The drainer keeps the count; mirror it (a counter that restarts with the process).
    m.drainedTotal.reset();
    m.drainedTotal.inc(drain.drainedTotal);
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

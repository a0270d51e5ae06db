// Query and response shapes of GET /api/stats/throughput and /api/stats/summary, shared by the
// routes and the hooks.
import { z } from 'zod';
import { isoInstantDate, safeText } from './safe-input';

/** The ranges the throughput page offers, in milliseconds. */
export const THROUGHPUT_RANGES = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
} as const;
export type ThroughputRange = keyof typeof THROUGHPUT_RANGES;

/** Widest range one request may ask for (the rollups keep 30 days). */
export const MAX_RANGE_MS = 31 * 24 * 3_600_000;

/** ISO 8601 with an offset, years 1970-9999 */
const isoDate = isoInstantDate;

export const throughputQuerySchema = z
  .object({
    from: isoDate,
    to: isoDate,
    /** one type, or several (?eventType=a&eventType=b, or comma-separated) */
    eventType: z.preprocess(
      (v) => {
        const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s) => String(s).split(','));
        const clean = list.map((s) => s.trim()).filter(Boolean);
        return clean.length ? clean : undefined;
      },
      z.array(safeText(200)).max(100).optional(),
    ),
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - THROUGHPUT_RANGES['1h']);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be before to' });
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: 'range over 31 days' });
    return { from, to, eventTypes: q.eventType };
  });
export type ThroughputQuery = z.infer<typeof throughputQuerySchema>;

export const throughputPointSchema = z.object({
  /** bucket start, ISO 8601 */
  t: z.string(),
  eventType: z.string(),
  /** events published in the bucket (counts, not per second) */
  published: z.number(),
  /** deaths: one per consumer queue the event died in, and again per death after a retry */
  deadLettered: z.number(),
  /** events that failed, each once whichever queue (the error rate is failedEvents / published) */
  failedEvents: z.number(),
});
export type ThroughputPoint = z.infer<typeof throughputPointSchema>;

export const throughputSchema = z.object({
  bucketSeconds: z.number(),
  series: z.array(throughputPointSchema),
  /** the range answered (from aligned down to a bucket) */
  from: z.string(),
  to: z.string(),
});
export type Throughput = z.infer<typeof throughputSchema>;

export const typeSummarySchema = z.object({
  eventType: z.string(),
  /** published per second, last ~1-2 minutes */
  ratePerSecond: z.number(),
  publishedLastHour: z.number(),
  deadLetteredLastHour: z.number(),
  failedEventsLastHour: z.number(),
  /** failed events / published events over the last hour (each event once, whichever queue); null without traffic */
  errorRate: z.number().nullable(),
  /** p95 processing time where the platform library reports it, else null */
  p95Seconds: z.number().nullable(),
});
export type TypeSummary = z.infer<typeof typeSummarySchema>;

export const summarySchema = z.object({
  items: z.array(typeSummarySchema),
  /** the tap in this process: is it counting? (null: this process runs no tap) */
  tap: z.object({ state: z.string(), queue: z.string(), exchange: z.string(), lastFlushAt: z.string().nullable() }).nullable(),
});
export type Summary = z.infer<typeof summarySchema>;

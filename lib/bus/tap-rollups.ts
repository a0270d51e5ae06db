// SQL over event_minute_stats, the per-minute rollups: the tap's batched upsert, the window
// purge and the bucketed read behind GET /api/stats/throughput. No server-only here: the tap
// runs in the worker and the benchmark times the same query the API runs.

/** Runs one parameterised statement and returns its rows (pg Pool, pg Client or Prisma). */
export type SqlQuery = <R = Record<string, unknown>>(sql: string, params: unknown[]) => Promise<R[]>;

export interface MinuteCount {
  /** minute number since the epoch (Math.floor(ms / 60000)) */
  minute: number;
  eventType: string;
  count: number;
}

/**
 * Adds published counts in one multi-row statement. Rows are sorted by (minute, type) so two
 * writers (the tap, and the drain's dead_lettered upsert) lock rows in the same order.
 */
export async function addPublishedCounts(query: SqlQuery, counts: MinuteCount[]): Promise<void> {
  if (counts.length === 0) return;
  const rows = [...counts].sort((a, b) => a.minute - b.minute || (a.eventType < b.eventType ? -1 : a.eventType > b.eventType ? 1 : 0));
  await query(
    `INSERT INTO "event_minute_stats" ("minute", "event_type", "published")
     SELECT to_timestamp(u.m * 60), u.t, u.c
     FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(m, t, c)
     ON CONFLICT ("minute", "event_type")
     DO UPDATE SET "published" = "event_minute_stats"."published" + EXCLUDED."published"`,
    [rows.map((r) => r.minute), rows.map((r) => r.eventType), rows.map((r) => r.count)],
  );
}

/** Deletes rollups (minutes and quarters) older than the window; returns the minute rows removed. */
export async function purgeRollups(query: SqlQuery, windowDays: number): Promise<number> {
  const rows = await query<{ n: number }>(
    `WITH gone AS (DELETE FROM "event_minute_stats" WHERE "minute" < now() - make_interval(days => $1::int) RETURNING 1),
          gone_quarters AS (DELETE FROM "event_quarter_stats" WHERE "quarter" < now() - make_interval(days => $1::int) - interval '15 minutes' RETURNING 1)
     SELECT (SELECT count(*) FROM gone)::int AS n, (SELECT count(*) FROM gone_quarters)::int AS q`,
    [windowDays],
  );
  return rows[0]?.n ?? 0;
}

/** Bucket size for a range: rollups are per minute, so never below 60 s; ~60-170 points. */
export function bucketSecondsFor(rangeMs: number): number {
  const hours = rangeMs / 3_600_000;
  if (hours <= 1) return 60;
  if (hours <= 6) return 300;
  if (hours <= 24) return 900;
  if (hours <= 24 * 7) return 3600;
  return 4 * 3600;
}

export interface ThroughputPoint {
  /** bucket start, ISO 8601 */
  t: string;
  eventType: string;
  published: number;
  /** deaths: one per consumer queue an event died in, and per death after a retry */
  deadLettered: number;
  /** events that failed: each once, whichever queue (the error rate's numerator) */
  failedEvents: number;
}

export interface ThroughputParams {
  from: Date;
  to: Date;
  eventTypes?: string[];
  bucketSeconds?: number;
}

/** Bucket sizes that whole quarters add up to are read from event_quarter_stats (15x fewer rows). */
const QUARTER_SECONDS = 900;

/**
 * Sums rollups into buckets aligned to the epoch (so a bucket's value does not shift as the
 * window slides). Only non-empty (bucket, type) pairs come back; clients fill the gaps.
 * A primary-key range scan either way: 24 h x 10 types is 960 quarter rows (14,400 minutes).
 */
export async function queryThroughput(query: SqlQuery, params: ThroughputParams): Promise<{ bucketSeconds: number; series: ThroughputPoint[] }> {
  const bucketSeconds = params.bucketSeconds ?? bucketSecondsFor(params.to.getTime() - params.from.getTime());
  const from = new Date(Math.floor(params.from.getTime() / (bucketSeconds * 1000)) * bucketSeconds * 1000);
  const types = params.eventTypes?.length ? params.eventTypes : null;
  const [table, column] = bucketSeconds % QUARTER_SECONDS === 0 ? ['event_quarter_stats', 'quarter'] : ['event_minute_stats', 'minute'];
  const rows = await query<{
    t: Date | string;
    event_type: string;
    published: number | string;
    dead_lettered: number | string;
    failed_events: number | string;
  }>(
    `SELECT date_bin(make_interval(secs => $3::int), "${column}", TIMESTAMPTZ '1970-01-01 00:00:00+00') AS t,
            "event_type",
            sum("published")::float8 AS published,
            sum("dead_lettered")::float8 AS dead_lettered,
            sum("failed_events")::float8 AS failed_events
     FROM "${table}"
     WHERE "${column}" >= $1 AND "${column}" < $2 AND ($4::text[] IS NULL OR "event_type" = ANY($4::text[]))
     GROUP BY 1, 2
     ORDER BY 1, 2`,
    [from, params.to, bucketSeconds, types],
  );
  return {
    bucketSeconds,
    series: rows.map((r) => ({
      t: new Date(r.t).toISOString(),
      eventType: r.event_type,
      published: Number(r.published),
      deadLettered: Number(r.dead_lettered),
      failedEvents: Number(r.failed_events),
    })),
  };
}

export interface TypeSummaryRow {
  eventType: string;
  /** published per second over the last ~1-2 minutes */
  ratePerSecond: number;
  publishedLastHour: number;
  deadLetteredLastHour: number;
  failedEventsLastHour: number;
}

/**
 * Per-type figures for the throughput table. "Rate now" = the current (partial) minute plus the
 * previous full one, over the seconds they cover, so it moves every flush without jumping to 0
 * at each minute boundary.
 */
export async function querySummary(query: SqlQuery, now = new Date()): Promise<TypeSummaryRow[]> {
  const currentMinute = Math.floor(now.getTime() / 60_000) * 60_000;
  const rateSeconds = 60 + (now.getTime() - currentMinute) / 1000;
  const rows = await query<{ event_type: string; recent: number; published: number; dead_lettered: number; failed_events: number }>(
    `SELECT "event_type",
            coalesce(sum("published") FILTER (WHERE "minute" >= $2), 0)::float8 AS recent,
            sum("published")::float8 AS published,
            sum("dead_lettered")::float8 AS dead_lettered,
            sum("failed_events")::float8 AS failed_events
     FROM "event_minute_stats"
     WHERE "minute" > $1
     GROUP BY 1
     ORDER BY 1`,
    [new Date(now.getTime() - 3_600_000), new Date(currentMinute - 60_000)],
  );
  return rows.map((r) => ({
    eventType: r.event_type,
    ratePerSecond: Number(r.recent) / rateSeconds,
    publishedLastHour: Number(r.published),
    deadLetteredLastHour: Number(r.dead_lettered),
    failedEventsLastHour: Number(r.failed_events),
  }));
}

// GET /api/groups: failure groups with their counts (maintained on write by the drain, never
// counted on read) and the deaths per hour of the last 24 hours for the sparkline.
import 'server-only';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import { SPARKLINE_HOURS, type GroupList, type GroupListQuery } from '@/lib/schemas/groups';

interface GroupRow {
  id: string;
  event_type: string;
  queue: string;
  reason: string;
  signature: string;
  count: number;
  pending_count: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

const HOUR = 3_600_000;

export async function listGroups(query: GroupListQuery, db: PrismaClient = prisma, now = new Date()): Promise<GroupList> {
  const where: Prisma.Sql[] = [];
  if (query.id) where.push(Prisma.sql`"id" = ${query.id}`);
  if (query.eventType) where.push(Prisma.sql`"event_type" = ${query.eventType}`);
  if (query.queue) where.push(Prisma.sql`"queue" = ${query.queue}`);
  if (query.reason) where.push(Prisma.sql`"reason" = ${query.reason}`);
  const order =
    query.sort === 'count'
      ? Prisma.sql`"count" DESC, "last_seen_at" DESC`
      : query.sort === 'pending'
        ? Prisma.sql`"pending_count" DESC, "last_seen_at" DESC`
        : Prisma.sql`"last_seen_at" DESC, "id"`;
  const groups = await db.$queryRaw<GroupRow[]>`
    SELECT "id", "event_type", "queue", "reason", "signature", "count", "pending_count", "first_seen_at", "last_seen_at"
    FROM "failure_groups" ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty}
    ORDER BY ${order} LIMIT ${query.limit}`;

  // the current hour is the last bucket
  const from = new Date(Math.floor(now.getTime() / HOUR) * HOUR - (SPARKLINE_HOURS - 1) * HOUR);
  const ids = groups.map((g) => g.id);
  const hours = ids.length
    ? await db.$queryRaw<{ group_id: string; hour: Date; count: number }[]>`
        SELECT "group_id", "hour", "count" FROM "failure_group_hours"
        WHERE "hour" >= ${from.toISOString()}::timestamptz AND "group_id" = ANY(${ids}::text[])`
    : [];
  // counted on read, only for this page's groups, from a partial index holding only marked records
  // (migration 20261207010000): cheap while few records die again, and no rollup to keep right
  // when a record moves between groups
  const failedAgain = ids.length
    ? await db.$queryRaw<{ group_id: string; n: bigint }[]>`
        SELECT "group_id", count(*) AS n FROM "dead_letters"
        WHERE "failed_again_after_retry" AND "group_id" = ANY(${ids}::text[]) GROUP BY "group_id"`
    : [];
  const failedAgainOf = new Map(failedAgain.map((r) => [r.group_id, Number(r.n)]));
  const series = new Map(ids.map((id) => [id, new Array<number>(SPARKLINE_HOURS).fill(0)]));
  for (const h of hours) {
    const i = Math.floor((h.hour.getTime() - from.getTime()) / HOUR);
    const s = series.get(h.group_id);
    if (s && i >= 0 && i < SPARKLINE_HOURS) s[i] += Number(h.count);
  }

  return {
    hourlyFrom: from.toISOString(),
    items: groups.map((g) => ({
      id: g.id,
      eventType: g.event_type,
      queue: g.queue,
      reason: g.reason,
      signature: g.signature,
      count: Number(g.count),
      pendingCount: Number(g.pending_count),
      failedAgainCount: failedAgainOf.get(g.id) ?? 0,
      firstSeenAt: g.first_seen_at.toISOString(),
      lastSeenAt: g.last_seen_at.toISOString(),
      hourly: series.get(g.id)!,
    })),
  };
}

// GET /api/groups: failure groups with their counts (maintained on write by the drain, never
// counted on read) and the deaths per hour of the last 24 hours for the sparkline.
import 'server-only';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { invalid } from '@/lib/action-error';
import { effectiveStatusSql } from '@/lib/groups/effective-status';
import { prisma } from '@/lib/server/db';
import { GROUP_STATUSES, SPARKLINE_HOURS, type GroupList, type GroupListQuery, type GroupStatus } from '@/lib/schemas/groups';

/** The columns every read of a group takes (effective status, assignee's email). */
export const GROUP_COLUMNS = Prisma.raw(`g."id", g."event_type", g."queue", g."reason", g."signature", g."count", g."pending_count",
  g."first_seen_at", g."last_seen_at", ${effectiveStatusSql('g')} AS "status", g."assignee_id", u."email" AS "assignee_email",
  CASE WHEN ${effectiveStatusSql('g')} = 'snoozed' THEN g."snoozed_until" END AS "snoozed_until", g."resolved_at", g."reopened_count",
  g."status_changed_at"`);
export const GROUP_FROM = Prisma.sql`"failure_groups" g LEFT JOIN "users" u ON u."id" = g."assignee_id"`;

export interface GroupRow {
  id: string;
  event_type: string;
  queue: string;
  reason: string;
  signature: string;
  count: number;
  pending_count: number;
  first_seen_at: Date;
  last_seen_at: Date;
  status: GroupStatus;
  assignee_id: string | null;
  assignee_email: string | null;
  snoozed_until: Date | null;
  resolved_at: Date | null;
  reopened_count: number;
  status_changed_at: Date | null;
}

/** A row's lifecycle fields as the API gives them. */
export function lifecycleOf(g: GroupRow) {
  return {
    status: g.status,
    assignee: g.assignee_id ? { id: g.assignee_id, email: g.assignee_email ?? '' } : null,
    snoozedUntil: g.snoozed_until?.toISOString() ?? null,
    resolvedAt: g.resolved_at?.toISOString() ?? null,
    reopenedCount: Number(g.reopened_count),
  };
}

const HOUR = 3_600_000;

/**
 * `me`: the calling user's id, for `assignee=me` (a token has none: 400).
 */
export async function listGroups(query: GroupListQuery, db: PrismaClient = prisma, now = new Date(), me?: string): Promise<GroupList> {
  const where: Prisma.Sql[] = [];
  if (query.id) where.push(Prisma.sql`g."id" = ${query.id}`);
  if (query.eventType) where.push(Prisma.sql`g."event_type" = ${query.eventType}`);
  if (query.queue) where.push(Prisma.sql`g."queue" = ${query.queue}`);
  if (query.reason) where.push(Prisma.sql`g."reason" = ${query.reason}`);
  if (query.assignee) {
    const assignee = query.assignee === 'me' ? me : query.assignee;
    if (!assignee) throw invalid('assignee=me needs a signed-in user (an API token is no user)', [{ field: 'assignee', message: 'an API token has no user' }]);
    where.push(Prisma.sql`g."assignee_id" = ${assignee}::uuid`);
  }
  const statusWhere = query.status ? [...where, Prisma.sql`${Prisma.raw(effectiveStatusSql('g'))} = ${query.status}`] : where;
  const whereSql = (w: Prisma.Sql[]) => (w.length ? Prisma.sql`WHERE ${Prisma.join(w, ' AND ')}` : Prisma.empty);
  const order =
    query.sort === 'count'
      ? Prisma.sql`g."count" DESC, g."last_seen_at" DESC`
      : query.sort === 'pending'
        ? Prisma.sql`g."pending_count" DESC, g."last_seen_at" DESC`
        : Prisma.sql`g."last_seen_at" DESC, g."id"`;
  const [groups, countRows] = await Promise.all([
    db.$queryRaw<GroupRow[]>`SELECT ${GROUP_COLUMNS} FROM ${GROUP_FROM} ${whereSql(statusWhere)} ORDER BY ${order} LIMIT ${query.limit}`,
    // the tabs: every filter but the status (groups are few: thousands, not millions)
    db.$queryRaw<{ status: GroupStatus; n: bigint }[]>`
      SELECT ${Prisma.raw(effectiveStatusSql('g'))} AS "status", count(*) AS n FROM "failure_groups" g ${whereSql(where)} GROUP BY 1`,
  ]);
  const counts = { open: 0, acknowledged: 0, snoozed: 0, resolved: 0, all: 0 };
  for (const r of countRows) {
    if ((GROUP_STATUSES as readonly string[]).includes(r.status)) counts[r.status] = Number(r.n);
    counts.all += Number(r.n);
  }

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
    counts,
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
      ...lifecycleOf(g),
    })),
  };
}

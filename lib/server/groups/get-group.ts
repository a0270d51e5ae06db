// GET /api/groups/:id: one failure group as the list gives it, plus deaths per 6 hours over 7
// days, its notes (oldest first) and its history (newest first).
import 'server-only';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { notFound } from '@/lib/api/errors';
import { prisma } from '@/lib/server/db';
import { groupListQuerySchema, WEEK_BUCKET_HOURS, type GroupDetail } from '@/lib/schemas/groups';
import { listGroups } from './list-groups';

const HOUR = 3_600_000;
const WEEK_BUCKETS = (7 * 24) / WEEK_BUCKET_HOURS;
const HISTORY_LIMIT = 500;
const NOTES_LIMIT = 1000;

/** A group id as the drain makes them (16 hex digits); anything else is no group. */
export const GROUP_ID = /^[0-9a-f]{1,64}$/;

export async function getGroup(id: string, db: PrismaClient = prisma, now = new Date()): Promise<GroupDetail> {
  if (!GROUP_ID.test(id)) throw notFound('Group');
  const list = await listGroups(groupListQuerySchema.parse({ id, limit: 1 }), db, now);
  const group = list.items[0];
  if (!group) throw notFound('Group');

  const bucket = WEEK_BUCKET_HOURS * HOUR;
  const weeklyFrom = new Date(Math.floor(now.getTime() / bucket) * bucket - (WEEK_BUCKETS - 1) * bucket);
  const [hours, notes, history, changed] = await Promise.all([
    db.$queryRaw<{ hour: Date; count: number }[]>`
      SELECT "hour", "count" FROM "failure_group_hours" WHERE "group_id" = ${id} AND "hour" >= ${weeklyFrom.toISOString()}::timestamptz`,
    db.$queryRaw<{ id: string; at: Date; author: string; text: string }[]>`
      SELECT "id"::text, "at", "author", "text" FROM "failure_group_notes" WHERE "group_id" = ${id} ORDER BY "at", "id" LIMIT ${NOTES_LIMIT}`,
    db.$queryRaw<{ at: Date; action: string; actor: string; reason: string | null; details: unknown }[]>`
      SELECT "at", "action", "actor", "reason", "details" FROM "failure_group_history" WHERE "group_id" = ${id}
      ORDER BY "at" DESC, "id" DESC LIMIT ${HISTORY_LIMIT}`,
    db.$queryRaw<{ status_changed_at: Date | null }[]>`SELECT "status_changed_at" FROM "failure_groups" WHERE "id" = ${id}`,
  ]);
  const weekly = new Array<number>(WEEK_BUCKETS).fill(0);
  for (const h of hours) {
    const i = Math.floor((h.hour.getTime() - weeklyFrom.getTime()) / bucket);
    if (i >= 0 && i < WEEK_BUCKETS) weekly[i] += Number(h.count);
  }
  return {
    ...group,
    hourlyFrom: list.hourlyFrom,
    weekly,
    weeklyFrom: weeklyFrom.toISOString(),
    statusChangedAt: changed[0]?.status_changed_at?.toISOString() ?? null,
    notes: notes.map((n) => ({ id: n.id, at: n.at.toISOString(), author: n.author, text: n.text })),
    history: history.map((h) => ({ at: h.at.toISOString(), action: h.action, actor: h.actor, reason: h.reason, details: h.details ?? null })),
  };
}

// GET /api/audit: newest first, keyset on id, filterable by actor and action.
import 'server-only';
import { Prisma } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import type { AuditPage, AuditQuery } from '@/lib/schemas/audit';

interface Row {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  details: unknown;
}

export async function listAudit(q: AuditQuery): Promise<AuditPage> {
  const where: Prisma.Sql[] = [];
  if (q.cursor) where.push(Prisma.sql`"id" < ${BigInt(q.cursor)}`);
  if (q.actor) where.push(Prisma.sql`"actor" = ${q.actor}`);
  if (q.action) where.push(Prisma.sql`"action" = ${q.action}`);
  const clause = where.length ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty;
  const rows = await prisma.$queryRaw<Row[]>`
    SELECT "id", "at", "actor", "action", "target", "reason", "details" FROM "audit_log" ${clause}
    ORDER BY "id" DESC LIMIT ${q.limit + 1}`;
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      reason: r.reason,
      details: r.details,
    })),
    nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null,
  };
}

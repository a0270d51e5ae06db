// GET /api/audit/export: every audit entry the audit list's filters select, newest first, in
// keyset pages on id.
import 'server-only';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import type { AuditExportQuery } from '@/lib/schemas/export';
import { AUDIT_DETAILS_COLUMN } from '@/lib/server/audit/list-audit';
import type { ExportSource } from './export-stream';

interface Row {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  details: unknown;
}

export const AUDIT_EXPORT_COLUMNS = ['id', 'at', 'actor', 'action', 'target', 'reason', 'details'] as const;

export function auditExportSource(q: Pick<AuditExportQuery, 'actor' | 'action'>, db: PrismaClient = prisma): ExportSource<Row, bigint> {
  const filters: Prisma.Sql[] = [];
  if (q.actor) filters.push(Prisma.sql`"actor" = ${q.actor}`);
  if (q.action) filters.push(Prisma.sql`"action" = ${q.action}`);
  return {
    columns: AUDIT_EXPORT_COLUMNS,
    key: (r) => r.id,
    record: (r) => ({ id: String(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, reason: r.reason, details: r.details }),
    // details as JSON text in a CSV cell (null when there are none)
    csvValue: (r, c) => (c === 'details' ? (r.details === null || r.details === undefined ? null : JSON.stringify(r.details)) : r[c]),
    page: (after, limit) => {
      const where = [...filters, ...(after === null ? [] : [Prisma.sql`"id" < ${after}`])];
      const clause = where.length ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty;
      return db.$queryRaw<Row[]>`
        SELECT "id", "at", "actor", "action", "target", "reason", ${AUDIT_DETAILS_COLUMN} FROM "audit_log" ${clause}
        ORDER BY "id" DESC LIMIT ${limit}`;
    },
  };
}

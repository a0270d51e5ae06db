// GET /api/dead-letters/export: every dead letter the list's filters select, newest first, in
// keyset pages on (last_failed_at, id) over the list's own WHERE (deadLetterWhere) and row source.
import 'server-only';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import { andAll, deadLetterWhere, type SearchScope } from '@/lib/server/dead-letters/dead-letter-where';
import { DEAD_LETTER_COLUMNS, toDeadLetter, type DeadLetterRow } from '@/lib/server/dead-letters/dead-letter-row';
import { rowSource } from '@/lib/server/dead-letters/list-dead-letters';
import { deadLetterSchema, type DeadLetterFilter } from '@/lib/schemas/dead-letters';
import type { ExportSource } from './export-stream';

type Position = Pick<DeadLetterRow, 'last_failed_at' | 'id'>;

/** the list's row fields, in the list's order */
export const DEAD_LETTER_EXPORT_COLUMNS = Object.keys(deadLetterSchema.shape);

export function deadLetterExportSource(filter: DeadLetterFilter, scope: SearchScope, db: PrismaClient = prisma): ExportSource<DeadLetterRow, Position> {
  const { sql: source } = rowSource(filter);
  const where = deadLetterWhere(filter, scope);
  return {
    columns: DEAD_LETTER_EXPORT_COLUMNS,
    key: (r) => ({ last_failed_at: r.last_failed_at, id: r.id }),
    record: (r) => toDeadLetter(r),
    page: (after, limit) => {
      const keyset = after
        ? [Prisma.sql`("dead_letters"."last_failed_at", "dead_letters"."id") < (${after.last_failed_at.toISOString()}::timestamptz, ${after.id}::uuid)`]
        : [];
      return db.$queryRaw<DeadLetterRow[]>`
        SELECT ${DEAD_LETTER_COLUMNS} FROM ${source} ${andAll([...where, ...keyset])}
        ORDER BY "dead_letters"."last_failed_at" DESC, "dead_letters"."id" DESC LIMIT ${limit}`;
    },
  };
}

// GET /api/dead-letters: one page of dead letters, newest first on (last_failed_at, id), by
// keyset. A page reads limit+1 rows from one index range, whatever the table's size.
import 'server-only';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import type { DeadLetterList, DeadLetterListQuery } from '@/lib/schemas/dead-letters';
import { decodeCursor, encodeCursor } from './cursor';
import { andAll, deadLetterWhere } from './dead-letter-where';
import { DEAD_LETTER_COLUMNS, toDeadLetter, type DeadLetterRow } from './dead-letter-row';

export async function listDeadLetters(query: DeadLetterListQuery, db: PrismaClient = prisma): Promise<DeadLetterList> {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const where = deadLetterWhere(query);
  const backwards = cursor?.direction === 'prev';
  if (cursor) {
    const t = cursor.lastFailedAt.toISOString();
    where.push(
      backwards
        ? Prisma.sql`("last_failed_at", "id") > (${t}::timestamptz, ${cursor.id}::uuid)`
        : Prisma.sql`("last_failed_at", "id") < (${t}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const order = backwards ? Prisma.sql`"last_failed_at" ASC, "id" ASC` : Prisma.sql`"last_failed_at" DESC, "id" DESC`;
  const select = (tx: Pick<PrismaClient, '$queryRaw'>) => tx.$queryRaw<DeadLetterRow[]>`
    SELECT ${DEAD_LETTER_COLUMNS} FROM "dead_letters" ${andAll(where)}
    ORDER BY ${order} LIMIT ${query.limit + 1}`;
  // A search ANDs the full-text bitmap with other filters. At a million rows those bitmaps
  // outgrow the default 4 MB work_mem and turn lossy, and a lossy page makes PostgreSQL redo
  // to_tsvector for every row on it (measured: 6 s instead of 60 ms). 64 MB keeps them exact.
  const rows = query.q
    ? await db.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
        return select(tx);
      })
    : await select(db);

  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  const at = (r: DeadLetterRow, direction: 'next' | 'prev') => encodeCursor({ lastFailedAt: r.last_failed_at, id: r.id, direction });

  // Going forward there are newer rows whenever we came from a cursor; going back, only if the
  // query found more than a page of them.
  const hasNewer = backwards ? more : cursor !== null;
  const hasOlder = backwards ? true : more;
  return {
    items: page.map(toDeadLetter),
    nextCursor: last && hasOlder ? at(last, 'next') : null,
    prevCursor: first && hasNewer ? at(first, 'prev') : null,
  };
}

// GET /api/dead-letters: one page of dead letters, newest first on (last_failed_at, id), by
// keyset. A page reads limit+1 rows from one index range, whatever the table's size.
import 'server-only';
import { DB_TIMEOUTS } from '@/lib/db/guard-pool';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import type { DeadLetterFilter, DeadLetterList, DeadLetterListQuery } from '@/lib/schemas/dead-letters';
import { adjacentUuid, decodeCursor, encodeCursor } from './cursor';
import { andAll, deadLetterWhere, searchMatches, type SearchScope } from './dead-letter-where';
import { DEAD_LETTER_COLUMNS, toDeadLetter, type DeadLetterRow } from './dead-letter-row';

/**
 * Search, in two steps, because PostgreSQL cannot estimate how many rows a term matches (an email
 * or id: a handful; "timeout": a third of the table) and a wrong guess costs seconds either way.
 * 1. Fetch up to `rareTermHits` ids of matching documents. If that is all of them, the page is
 *    read by id (a few primary-key lookups): exact, whatever the filters.
 * 2. A commoner term is found by walking the list's own index newest first and probing each row's
 *    document, which meets a page of hits at once. Only when the term is common overall but rare
 *    among the filtered rows would that walk go on through the whole filter, so it stops after
 *    `searchWalk` rows: the page then holds the hits among them (maybe none) and its nextCursor
 *    continues the walk where it stopped (the UI says "searched the newest N").
 */
export interface SearchLimits {
  rareTermHits: number;
  searchWalk: number;
}
const SEARCH_LIMITS: SearchLimits = { rareTermHits: 500, searchWalk: 10_000 };

type Position = Pick<DeadLetterRow, 'last_failed_at' | 'id'>;

/**
 * The rows a page reads from. Filtered by status alone, they come from dead_letters' narrow
 * (status, last_failed_at, id) copy (migration 20261128000000_status_order) joined to
 * dead_letters by id, with the copy's id, last_failed_at and status standing for the row's own
 * (the triggers keep them equal): the page's order, its cursor and time range then bound the
 * copy's index directly. Named "dead_letters", so every filter and column reads the same.
 */
export function rowSource(query: DeadLetterFilter): { sql: Prisma.Sql; join: boolean } {
  const status = query.status;
  // with another equality filter, its own index of dead_letters serves the page better, the
  // status checked on each row as it is read (one narrower walk than the status's whole range)
  const narrower = query.eventType || query.queue || query.reason || query.validity || query.groupId || query.correlationId || query.failedAgain || query.dlq;
  if (!status || narrower) return { sql: Prisma.sql`"dead_letters"`, join: false };
  return {
    join: true,
    sql: Prisma.sql`(SELECT s."dead_letter_id" AS "id", s."last_failed_at", s."status",
      d."event_id", d."event_type", d."version", d."routing_key", d."queue", d."reason", d."attempts", d."republish_count",
      d."first_failed_at", d."error_message", d."validation_status", d."group_id", d."correlation_id", d."failed_again_after_retry", d."dlq"
    FROM "dead_letters_by_status" s JOIN "dead_letters" d ON d."id" = s."dead_letter_id"
    WHERE s."status" = ${status}) AS "dead_letters"`,
  };
}

/** The search's transaction: a statement's time (statement_timeout), not Prisma's default 5 s. */
const SEARCH_TRANSACTION = { maxWait: 5_000, timeout: DB_TIMEOUTS.statementMs };

export async function listDeadLetters(
  query: DeadLetterListQuery,
  scope: SearchScope,
  db: PrismaClient = prisma,
  limits: SearchLimits = SEARCH_LIMITS,
): Promise<DeadLetterList> {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const backwards = cursor?.direction === 'prev';
  // qualified: a bare "id" in ORDER BY would mean the output column ("id"::text), not the index's uuid
  const dir = Prisma.raw(backwards ? 'ASC' : 'DESC');
  const orderOf = (t: string) => Prisma.sql`${Prisma.raw(t)}."last_failed_at" ${dir}, ${Prisma.raw(t)}."id" ${dir}`;
  const order = orderOf('"dead_letters"');
  const afterCursor = cursor
    ? backwards
      ? Prisma.sql`("last_failed_at", "id") > (${cursor.lastFailedAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
      : Prisma.sql`("last_failed_at", "id") < (${cursor.lastFailedAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
    : null;
  // every filter but the search, which is applied below in one of two ways
  const filters = [...deadLetterWhere({ ...query, q: undefined }, scope), ...(afterCursor ? [afterCursor] : [])];
  const { sql: source, join } = rowSource(query);
  const page = (tx: Pick<PrismaClient, '$queryRaw'>, search: Prisma.Sql[] = []) => tx.$queryRaw<DeadLetterRow[]>`
    SELECT ${DEAD_LETTER_COLUMNS} FROM ${source} ${andAll([...filters, ...search])}
    ORDER BY ${order} LIMIT ${query.limit + 1}`;

  let rows: DeadLetterRow[];
  /** where a cut-short search walk stopped (the next page starts after it) */
  let walkEnd: Position | null = null;
  const q = query.q;
  if (!q && !join) rows = await page(db);
  else {
    rows = await db.$transaction(async (tx) => {
      // A search or the status join: the planner would hand them to parallel workers, which cost
      // ~100 ms to start on a small machine, more than the query itself.
      await tx.$executeRaw`SET LOCAL max_parallel_workers_per_gather = 0`;
      if (!q) return page(tx);
      // 64 MB keeps the bitmap of a common word exact (a lossy page rechecks every document on it).
      await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
      const hits = await tx.$queryRaw<
        { id: string }[]
      >`SELECT "dead_letter_id"::text AS id FROM (${searchMatches(q, scope)}) s LIMIT ${limits.rareTermHits + 1}`;
      if (hits.length <= limits.rareTermHits) return page(tx, [Prisma.sql`"id" = ANY(${hits.map((h) => h.id)}::uuid[])`]);

      // the walk: the newest `searchWalk` rows of the filter (one index range), then the probe
      const found = await tx.$queryRaw<DeadLetterRow[]>`
        SELECT ${DEAD_LETTER_COLUMNS} FROM (
          SELECT * FROM ${source} ${andAll(filters)} ORDER BY ${order} LIMIT ${limits.searchWalk}
        ) w WHERE w."id" IN (${searchMatches(q, scope)})
        ORDER BY ${orderOf('w')} LIMIT ${query.limit + 1}`;
      if (found.length <= query.limit) {
        const ends = await tx.$queryRaw<Position[]>`
          SELECT "last_failed_at", "id" FROM ${source} ${andAll(filters)} ORDER BY ${order} OFFSET ${limits.searchWalk - 1} LIMIT 2`;
        // the walk stopped at its bound and rows lie beyond it: more may match there
        if (ends.length === 2) walkEnd = ends[0];
      }
      return found;
      // as long as a statement may run (Prisma's default, 5 s, expired under a slow search:
      // a 500 where the answer would have come)
    }, SEARCH_TRANSACTION);
  }

  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  if (backwards) items.reverse();
  const at = (r: Position, direction: 'next' | 'prev') => encodeCursor({ lastFailedAt: r.last_failed_at, id: r.id, direction });
  // an empty page (a walk that found nothing) pages on from where it was asked, the way back
  // including the row it was asked from (adjacentUuid)
  const from = (step: -1 | 1): Position | null => (cursor ? { last_failed_at: cursor.lastFailedAt, id: adjacentUuid(cursor.id, step) } : null);
  const newest = items[0] ?? from(-1);
  const oldest = items[items.length - 1] ?? from(1);

  // Going forward there are newer rows whenever we came from a cursor; going back, only if the
  // query found more than a page of them (or the walk stopped short of the newest).
  const searched = walkEnd ? { searchedRows: limits.searchWalk } : {};
  if (backwards) {
    return {
      ...searched,
      items: items.map(toDeadLetter),
      nextCursor: oldest ? at(oldest, 'next') : null,
      prevCursor: walkEnd ? at(walkEnd, 'prev') : newest && more ? at(newest, 'prev') : null,
    };
  }
  return {
    ...searched,
    items: items.map(toDeadLetter),
    nextCursor: walkEnd ? at(walkEnd, 'next') : oldest && more ? at(oldest, 'next') : null,
    prevCursor: newest && cursor !== null ? at(newest, 'prev') : null,
  };
}

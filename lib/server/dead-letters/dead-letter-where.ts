// The WHERE clause of every dead-letter list filter, as one parameterised SQL fragment.
// Expressions match the indexes of migration 20261127060000_triage_indexes exactly.
import 'server-only';
import { Prisma } from '@/lib/generated/prisma/client';
import { NONE, UNKNOWN_TYPE } from '@/lib/groups/signature';
import type { DeadLetterFilter } from '@/lib/schemas/dead-letters';


export function deadLetterWhere(f: DeadLetterFilter): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  // failure groups name a missing type/queue/reason '(unknown)'/'(none)' (lib/groups/signature.ts),
  // and their facet values link here, so those names select the missing values
  if (f.eventType) where.push(f.eventType === UNKNOWN_TYPE ? Prisma.sql`"event_type" IS NULL` : Prisma.sql`"event_type" = ${f.eventType}`);
  if (f.queue) where.push(Prisma.sql`"queue" = ${f.queue === NONE ? '' : f.queue}`);
  if (f.reason) where.push(f.reason === NONE ? Prisma.sql`"reason" IS NULL` : Prisma.sql`"reason" = ${f.reason}`);
  if (f.status) where.push(Prisma.sql`"status" = ${f.status}`);
  if (f.validity) where.push(Prisma.sql`"validation_status" = ${f.validity}`);
  if (f.groupId) where.push(Prisma.sql`"group_id" = ${f.groupId}`);
  if (f.correlationId) where.push(Prisma.sql`"correlation_id" = ${f.correlationId}`);
  if (f.from) where.push(Prisma.sql`"last_failed_at" >= ${f.from}::timestamptz`);
  if (f.to) where.push(Prisma.sql`"last_failed_at" < ${f.to}::timestamptz`);
  if (f.q) {
    // Phrases ("...") would make PostgreSQL recompute to_tsvector of every candidate row to check
    // word positions (the index stores none): hundreds of ms at a million rows. Instead the index
    // matches the phrase's words (<-> turned into &) and a cheap ILIKE checks the phrase as written.
    where.push(
      Prisma.sql`to_tsvector('simple'::regconfig, "search_text") @@ replace(websearch_to_tsquery('simple'::regconfig, ${f.q})::text, '<->', '&')::tsquery`,
    );
    for (const m of f.q.matchAll(/"([^"]+)"/g)) {
      const phrase = m[1].trim().replace(/[\\%_]/g, (c) => `\\${c}`);
      if (phrase) where.push(Prisma.sql`"search_text" ILIKE ${`%${phrase}%`}`);
    }
  }
  return where;
}

export function andAll(parts: Prisma.Sql[]): Prisma.Sql {
  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

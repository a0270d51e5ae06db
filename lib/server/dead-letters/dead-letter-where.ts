// The WHERE clause of every dead-letter list filter, as one parameterised SQL fragment.
// Expressions match the indexes of migration 20261127060000_triage_indexes exactly.
import 'server-only';
import { invalid } from '@/lib/action-error';
import { refuseMaskedFilters } from '@/lib/server/auth/refuse-masked-filters';
import { Prisma } from '@/lib/generated/prisma/client';
import { NONE, UNKNOWN_TYPE } from '@/lib/groups/signature';
import type { DeadLetterFilter } from '@/lib/schemas/dead-letters';
import type { ViewerMasking } from '@/lib/mask/viewer-search';

/**
 * Which documents a search reads: the full text (operators, admins) or the text as viewers see it,
 * masked (lib/mask/viewer-search.ts), built with the masking of this key. Every caller says which:
 * searching the full text lets a viewer confirm a masked value they guess.
 */
export type SearchScope = { kind: 'full' } | { kind: 'masked'; masking: ViewerMasking };

export const FULL_TEXT_SEARCH: SearchScope = { kind: 'full' };

/** The exact-match filters whose values are shown in responses under the same names. */
const VALUE_FILTERS = ['eventType', 'queue', 'reason', 'dlq', 'correlationId', 'groupId'] as const;

export function deadLetterWhere(f: DeadLetterFilter, scope: SearchScope): Prisma.Sql[] {
  if (scope.kind === 'masked') refuseMaskedFilters(Object.fromEntries(VALUE_FILTERS.map((k) => [k, f[k]])), scope.masking);
  const where: Prisma.Sql[] = [];
  // failure groups name a missing type/queue/reason '(unknown)'/'(none)' (lib/groups/signature.ts),
  // and their facet values link here, so those names select the missing values
  if (f.eventType) where.push(f.eventType === UNKNOWN_TYPE ? Prisma.sql`"event_type" IS NULL` : Prisma.sql`"event_type" = ${f.eventType}`);
  if (f.dlq) where.push(Prisma.sql`"dlq" = ${f.dlq}`);
  if (f.queue) where.push(Prisma.sql`"queue" = ${f.queue === NONE ? '' : f.queue}`);
  if (f.reason) where.push(f.reason === NONE ? Prisma.sql`"reason" IS NULL` : Prisma.sql`"reason" = ${f.reason}`);
  if (f.status) where.push(Prisma.sql`"status" = ${f.status}`);
  if (f.validity) where.push(Prisma.sql`"validation_status" = ${f.validity}`);
  if (f.groupId) where.push(Prisma.sql`"group_id" = ${f.groupId}`);
  if (f.correlationId) where.push(Prisma.sql`"correlation_id" = ${f.correlationId}`);
  // the predicate of the partial indexes of migration 20261207010000, as written there
  if (f.failedAgain) where.push(Prisma.sql`"failed_again_after_retry"`);
  // an empty range is a mistake to say, not an empty list to show (both are ISO strings in UTC)
  if (f.from && f.to && f.from >= f.to) throw invalid('The time range is empty: to must be after from', [{ field: 'to', message: 'must be after from' }]);
  if (f.from) where.push(Prisma.sql`"last_failed_at" >= ${f.from}::timestamptz`);
  if (f.to) where.push(Prisma.sql`"last_failed_at" < ${f.to}::timestamptz`);
  if (f.q) where.push(Prisma.sql`"id" IN (${searchMatches(f.q, scope)})`);
  return where;
}

/**
 * Ids of the dead letters whose full-text document matches `q` (websearch syntax). Documents
 * live in dead_letter_search (GIN over a stored tsvector with word positions), so a quoted phrase
 * is checked on the document itself, never by re-reading bodies. A masked search reads only the
 * viewers' document, and only one built with the current masking: the others are being rebuilt
 * (lib/bus/search-indexer.ts). (Never the full document, even where masking changes nothing: a
 * process of an older version that wrote it would make it an oracle again.)
 */
export function searchMatches(q: string, scope: SearchScope): Prisma.Sql {
  const query = Prisma.sql`websearch_to_tsquery('simple'::regconfig, ${q})`;
  if (scope.kind === 'full') return Prisma.sql`SELECT "dead_letter_id" FROM "dead_letter_search" WHERE "document" @@ ${query}`;
  return Prisma.sql`SELECT "dead_letter_id" FROM "dead_letter_search" WHERE "viewer_document" @@ ${query} AND "mask_key" = ${scope.masking.key}`;
}

export function andAll(parts: Prisma.Sql[]): Prisma.Sql {
  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

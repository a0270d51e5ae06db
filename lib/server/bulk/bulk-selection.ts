// The WHERE clause of a bulk selection: ids, a failure group, or the list's own filter (the
// triage list's deadLetterWhere, so "everything matching the filter" means exactly what the
// list shows). Only pending records can be republished or discarded, so only those are selected.
import 'server-only';
import { Prisma } from '@/lib/generated/prisma/client';
import type { BulkSelection } from '@/lib/schemas/bulk';
import { andAll, deadLetterWhere, FULL_TEXT_SEARCH } from '@/lib/server/dead-letters/dead-letter-where';

export function bulkWhere(selection: BulkSelection): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if ('ids' in selection) parts.push(Prisma.sql`"id" = ANY(${selection.ids}::uuid[])`);
  else if ('groupId' in selection) parts.push(Prisma.sql`"group_id" = ${selection.groupId}`);
  // (bulk actions are operators': their search reads the full text, as their list does)
  else parts.push(...deadLetterWhere({ ...selection.filter, status: undefined }, FULL_TEXT_SEARCH));
  parts.push(Prisma.sql`"status" = 'pending'`);
  return andAll(parts);
}

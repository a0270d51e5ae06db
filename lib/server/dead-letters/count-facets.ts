// Counts beside each filter value of the dead-letter list, cheap at a million rows:
// - event type, queue, reason and "pending" come from the failure-group rollups that the drain
//   maintains on write (failure_groups.count / pending_count): a sum over a few hundred rows.
//   They honour the type, queue, reason, group and status=pending filters; the other filters
//   (validity, search, time range, correlation id, failed again) are listed in `ignoredFilters`.
// - republished / discarded / unreadable and validity are bounded index-only counts over all stored dead
//   letters, capped at FACET_CAP (shown as "10,000+"), whatever the other filters.
import 'server-only';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import { VALIDITY_VALUES, type DeadLetterFilter, type FacetValue, type Facets } from '@/lib/schemas/dead-letters';

export const FACET_CAP = 10_000;

interface GroupRow {
  event_type: string;
  queue: string;
  reason: string;
  id: string;
  count: number;
  pending_count: number;
}

type Dim = 'eventType' | 'queue' | 'reason';
const column: Record<Dim, 'event_type' | 'queue' | 'reason'> = { eventType: 'event_type', queue: 'queue', reason: 'reason' };

function rollup(groups: GroupRow[], f: DeadLetterFilter, dim: Dim): FacetValue[] {
  const pendingOnly = f.status === 'pending';
  const sums = new Map<string, number>();
  for (const g of groups) {
    // standard faceting: every filter applies except the facet's own
    if (dim !== 'eventType' && f.eventType && g.event_type !== f.eventType) continue;
    if (dim !== 'queue' && f.queue && g.queue !== f.queue) continue;
    if (dim !== 'reason' && f.reason && g.reason !== f.reason) continue;
    const n = pendingOnly ? g.pending_count : g.count;
    const key = g[column[dim]];
    sums.set(key, (sums.get(key) ?? 0) + n);
  }
  return [...sums.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value, count]) => ({ value, count, capped: false }));
}

export async function countFacets(f: DeadLetterFilter, db: PrismaClient = prisma): Promise<Facets> {
  const [groups, bounded] = await Promise.all([
    db.$queryRaw<GroupRow[]>`SELECT "id", "event_type", "queue", "reason", "count", "pending_count" FROM "failure_groups"`,
    db.$queryRaw<{ kind: string; value: string; n: bigint }[]>`
      SELECT 'status' AS kind, v AS value,
             (SELECT count(*) FROM (SELECT 1 FROM "dead_letters_by_status" d WHERE d."status" = v LIMIT ${FACET_CAP + 1}) s) AS n
      FROM unnest(ARRAY['republished', 'discarded', 'unreadable']::text[]) AS v
      UNION ALL
      SELECT 'validity', v,
             (SELECT count(*) FROM (SELECT 1 FROM "dead_letters" d WHERE d."validation_status" = v LIMIT ${FACET_CAP + 1}) s)
      FROM unnest(${[...VALIDITY_VALUES]}::text[]) AS v`,
  ]);
  const scoped = f.groupId ? groups.filter((g) => g.id === f.groupId) : groups;
  const capped = (kind: string): FacetValue[] =>
    bounded.filter((b) => b.kind === kind).map((b) => ({ value: b.value, count: Math.min(Number(b.n), FACET_CAP), capped: Number(b.n) > FACET_CAP }));

  const pendingInScope = rollup(scoped, { ...f, status: 'pending' }, 'eventType')
    .filter((v) => !f.eventType || v.value === f.eventType)
    .reduce((s, v) => s + v.count, 0);

  const ignoredFilters = (['validity', 'q', 'from', 'to', 'correlationId', 'failedAgain'] as const).filter((k) => f[k]) as string[];
  if (f.status && f.status !== 'pending') ignoredFilters.push('status');

  return {
    facets: {
      eventType: rollup(scoped, f, 'eventType'),
      queue: rollup(scoped, f, 'queue'),
      reason: rollup(scoped, f, 'reason'),
      status: [{ value: 'pending', count: pendingInScope, capped: false }, ...capped('status')],
      validity: capped('validity'),
    },
    total: groups.reduce((s, g) => s + Number(g.count), 0),
    pending: groups.reduce((s, g) => s + Number(g.pending_count), 0),
    ignoredFilters,
  };
}

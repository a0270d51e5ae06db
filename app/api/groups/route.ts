// GET /api/groups: failure groups with rollup counts and a 24 h sparkline (README, Triage).
import { withApi, json } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync, searchScopeFor } from '@/lib/server/auth/mask';
import { refuseMaskedFilters } from '@/lib/server/auth/refuse-masked-filters';
import { listGroups } from '@/lib/server/groups/list-groups';
import { groupListQuerySchema } from '@/lib/schemas/groups';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  const query = parseQuery(request, groupListQuerySchema);
  // a viewer's exact match on a value they are shown masked would confirm a guess
  const scope = searchScopeFor(actor);
  if (scope.kind === 'masked') refuseMaskedFilters({ eventType: query.eventType, queue: query.queue, reason: query.reason }, scope.masking);
  return json(await maskForActorAsync(actor, await listGroups(query, undefined, undefined, actor.userId))); // signatures are error messages
});

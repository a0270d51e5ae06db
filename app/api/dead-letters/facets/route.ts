// GET /api/dead-letters/facets: counts beside each filter value of the list (same filters).
import { withApi, json } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync, searchScopeFor } from '@/lib/server/auth/mask';
import { countFacets } from '@/lib/server/dead-letters/count-facets';
import { deadLetterFilterSchema } from '@/lib/schemas/dead-letters';
import { env } from '@/lib/env';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  const filter = parseQuery(request, deadLetterFilterSchema);
  return json(await maskForActorAsync(actor, await countFacets(filter, searchScopeFor(actor), undefined, env().DLQ_QUEUE))); // values come from messages
});

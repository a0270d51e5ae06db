// GET /api/dead-letters: filtered, keyset-paged list, newest first (README, HTTP API).
import { withApi, json } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync, searchScopeFor } from '@/lib/server/auth/mask';
import { listDeadLetters } from '@/lib/server/dead-letters/list-dead-letters';
import { deadLetterListQuerySchema } from '@/lib/schemas/dead-letters';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  const query = parseQuery(request, deadLetterListQuerySchema);
  return json(await maskForActorAsync(actor, await listDeadLetters(query, searchScopeFor(actor)))); // MASK_FIELDS hidden from viewers, and not searched
});

// GET /api/dead-letters/:id: the dead letter, its message as received, validation and history.
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import { getDeadLetter } from '@/lib/server/dead-letters/get-dead-letter';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'viewer');
  const { id } = await ctx.params;
  return json(await maskForActorAsync(actor, await getDeadLetter(id))); // MASK_FIELDS hidden from viewers
});

// GET /api/dead-letters/:id: the dead letter, its message as received, validation and history.
import { withApi } from '@/lib/api/handler';
import { streamedJson } from '@/lib/api/json-stream';
import { authorize } from '@/lib/server/auth/authorize';
import { bodyShownUpTo, maskBodyForActor, maskForActorAsync } from '@/lib/server/auth/mask';
import { prisma } from '@/lib/server/db';
import { getDeadLetter } from '@/lib/server/dead-letters/get-dead-letter';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'viewer');
  const { id } = await ctx.params;
  // A body may be many MB: read in pieces, masked in slices (viewers), sent in slices, never
  // one big string operation on the event loop (lib/api/json-stream.ts).
  // (a viewer is not shown a body too big to mask: not even read)
  const { body, ...detail } = await getDeadLetter(id, prisma, bodyShownUpTo(actor));
  // MASK_FIELDS hidden from viewers, with the size and hash of what they see
  return streamedJson({ ...(await maskForActorAsync(actor, detail)), body: await maskBodyForActor(actor, body) });
});

// POST /api/dead-letters/:id/discard {reason}: marks it discarded (nothing is deleted).
import { json, withApi } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { discardRequestSchema } from '@/lib/schemas/republish';
import { authorize } from '@/lib/server/auth/authorize';
import { discardDeadLetter } from '@/lib/server/republish/discard-dead-letter';
import { uuidParam } from '@/lib/server/republish/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'operator');
  const id = await uuidParam(ctx.params, 'Dead letter');
  const { reason } = await parseJsonBody(request, discardRequestSchema);
  return json(await discardDeadLetter(id, actor, reason));
});

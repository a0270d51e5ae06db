// POST /api/dead-letters/:id/discard {reason}: marks it discarded (nothing is deleted).
import { discardDeadLetter } from '@/lib/actions/discard-dead-letter';
import { json, withApi } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { discardRequestSchema } from '@/lib/schemas/republish';
import { authorize } from '@/lib/server/auth/authorize';
import { uuidParam } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'operator');
  const id = await uuidParam(ctx.params, 'Dead letter');
  const body = await parseJsonBody(request, discardRequestSchema);
  return json(await discardDeadLetter(actor, { ...body, id }));
});

// POST /api/dead-letters/:id/republish: send one dead letter back (unchanged or edited).
// 409 when not pending / in flight / over the retry limit, 422 when an edit breaks the
// contract, 503 when the broker is down; a failed call changes nothing.
import { republishDeadLetter } from '@/lib/actions/republish-dead-letter';
import { json, withApi } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { republishRequestSchema } from '@/lib/schemas/republish';
import { authorize } from '@/lib/server/auth/authorize';
import { uuidParam } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  // operator to republish; force is checked against the actor's role (admin) in lib/actions/republish-dead-letter.ts
  const actor = await authorize(request, 'operator');
  const body = await parseJsonBody(request, republishRequestSchema);
  const id = await uuidParam(ctx.params, 'Dead letter');
  return json(await republishDeadLetter(actor, { ...body, id }));
});

// POST /api/dead-letters/:id/restore [{reason}]: back to pending.
import { restoreDeadLetter } from '@/lib/actions/restore-dead-letter';
import { json, withApi } from '@/lib/api/handler';
import { restoreRequestSchema } from '@/lib/schemas/republish';
import { authorize } from '@/lib/server/auth/authorize';
import { optionalJsonBody } from '@/lib/api/parse';
import { uuidParam } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'operator');
  const id = await uuidParam(ctx.params, 'Dead letter');
  const body = await optionalJsonBody(request, restoreRequestSchema);
  return json(await restoreDeadLetter(actor, { ...body, id }));
});

// POST /api/dead-letters/:id/restore [{reason}]: back to pending.
import { json, withApi } from '@/lib/api/handler';
import { restoreRequestSchema } from '@/lib/schemas/republish';
import { authorize } from '@/lib/server/auth/authorize';
import { restoreDeadLetter } from '@/lib/server/republish/restore-dead-letter';
import { optionalJsonBody, uuidParam } from '@/lib/server/republish/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'operator');
  const id = await uuidParam(ctx.params, 'Dead letter');
  const { reason } = await optionalJsonBody(request, restoreRequestSchema);
  return json(await restoreDeadLetter(id, actor, reason ?? null));
});

// POST /api/dead-letters/:id/retry [{reason}]: an unreadable (parked) dead letter through the
// drain's prepare and store again: 200 {id, status: "pending", previousId} when stored (a new
// record replaces the unreadable one), 422 with the reason when it still cannot be, 409 when the
// dead letter is not unreadable.
import { retryUnreadable } from '@/lib/actions/retry-unreadable';
import { json, withApi } from '@/lib/api/handler';
import { retryUnreadableRequestSchema } from '@/lib/schemas/republish';
import { authorize } from '@/lib/server/auth/authorize';
import { optionalJsonBody } from '@/lib/api/parse';
import { uuidParam } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'operator');
  const id = await uuidParam(ctx.params, 'Dead letter');
  const body = await optionalJsonBody(request, retryUnreadableRequestSchema);
  return json(await retryUnreadable(actor, { ...body, id }));
});

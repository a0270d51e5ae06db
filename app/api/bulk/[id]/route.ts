// GET /api/bulk/:id: status and progress of a bulk job.
import { json, withApi } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import { getBulkJob } from '@/lib/server/bulk/get-bulk-job';
import { uuidParam } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'viewer');
  return json(await maskForActorAsync(actor, await getBulkJob(await uuidParam(ctx.params, 'Bulk job')))); // lastError, reason
});

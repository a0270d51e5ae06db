// POST /api/bulk/:id/pause
import { json, withApi } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { controlBulkJob } from '@/lib/server/bulk/control-bulk-job';
import { uuidParam } from '@/lib/server/republish/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'operator');
  return json(await controlBulkJob(await uuidParam(ctx.params, 'Bulk job'), 'pause', actor));
});

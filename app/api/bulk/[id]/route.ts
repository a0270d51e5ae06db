// GET /api/bulk/:id: status and progress of a bulk job.
import { json, withApi } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { getBulkJob } from '@/lib/server/bulk/get-bulk-job';
import { uuidParam } from '@/lib/server/republish/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  await authorize(request, 'viewer');
  return json(await getBulkJob(await uuidParam(ctx.params, 'Bulk job')));
});

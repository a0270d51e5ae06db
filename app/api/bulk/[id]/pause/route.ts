// POST /api/bulk/:id/pause
import { controlBulkJob } from '@/lib/actions/control-bulk-job';
import { json, withApi } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { noFieldsBody, uuidParam } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi<{ params: Promise<{ id: string }> }>(async (request, ctx) => {
  const actor = await authorize(request, 'operator');
  const id = await uuidParam(ctx.params, 'Bulk job');
  await noFieldsBody(request);
  return json(await controlBulkJob(actor, { id, control: 'pause' }));
});

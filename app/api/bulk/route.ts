// POST /api/bulk: dry run -> {dryRun, count, sample}; otherwise 202 {jobId} and the background
// runner does the work at the chosen rate.
import { createBulkJob } from '@/lib/actions/create-bulk-job';
import { json, withApi } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { bulkRequestSchema } from '@/lib/schemas/bulk';
import { authorize } from '@/lib/server/auth/authorize';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApi(async (request) => {
  // operator; force is checked against the actor's role (admin) in createBulkJob
  const actor = await authorize(request, 'operator');
  const body = await parseJsonBody(request, bulkRequestSchema);
  const result = await createBulkJob(actor, body);
  return json(result, { status: 'jobId' in result ? 202 : 200 });
});

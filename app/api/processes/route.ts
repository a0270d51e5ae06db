// GET /api/processes: the live EventDesk processes (web servers and workers) and the
// once-per-cluster duties each holds.
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { listProcesses } from '@/lib/server/processes/list-processes';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  await authorize(request, 'viewer');
  return json({ items: await listProcesses() }, { headers: { 'cache-control': 'no-store' } });
});

// GET /api/queues: depth and consumers of the platform's consumer queues and the DLQ.
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import { listQueues } from '@/lib/server/queues/list-queues';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  return json(await maskForActorAsync(actor, await listQueues())); // queue names from x-death headers
});

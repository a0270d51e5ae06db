// GET /api/stats/summary: per event type, rate now, last hour, errors, error rate, p95.
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import { getSummary } from '@/lib/server/stats/get-summary';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  return json(await maskForActorAsync(actor, await getSummary()));
});

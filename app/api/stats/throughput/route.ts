// GET /api/stats/throughput?from=&to=&eventType=: published and dead-lettered per type and bucket.
import { withApi, json } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { throughputQuerySchema } from '@/lib/schemas/stats';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import { getThroughput } from '@/lib/server/stats/get-throughput';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  const q = parseQuery(request, throughputQuerySchema);
  return json(await maskForActorAsync(actor, await getThroughput(q))); // event types are routing keys from the bus
});

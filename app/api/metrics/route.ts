// GET /api/metrics: Prometheus text (prom-client). Public unless METRICS_TOKEN is set.
import { withApi } from '@/lib/api/handler';
import { scrapeMetrics } from '@/lib/server/metrics/refresh-metrics';
import { metrics } from '@/lib/metrics/registry';
import { authorizeMetrics } from '@/lib/server/auth/authorize-metrics';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  authorizeMetrics(request);
  const text = await scrapeMetrics();
  const { registry } = metrics();
  return new Response(text, { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
});

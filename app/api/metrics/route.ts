// GET /api/metrics: Prometheus text (prom-client). Public unless METRICS_TOKEN is set.
import { withApi } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { checkScrapeToken } from '@/lib/metrics/check-scrape-token';
import { refreshMetrics } from '@/lib/metrics/refresh-metrics';
import { metrics } from '@/lib/metrics/registry';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  checkScrapeToken(request, env().METRICS_TOKEN);
  await refreshMetrics();
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
});

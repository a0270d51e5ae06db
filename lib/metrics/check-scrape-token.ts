// /api/metrics is public (Prometheus scrapes it) unless METRICS_TOKEN is set; then it wants
// `Authorization: Bearer <METRICS_TOKEN>`.
import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '@/lib/api/errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function checkScrapeToken(request: Request, metricsToken: string | undefined): void {
  if (!metricsToken) return;
  const header = request.headers.get('authorization') ?? '';
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
  // Compare digests: equal length, constant time.
  if (!given || !timingSafeEqual(digest(given), digest(metricsToken))) {
    throw new ApiError('unauthorized', 'METRICS_TOKEN is set: send Authorization: Bearer <token>');
  }
}

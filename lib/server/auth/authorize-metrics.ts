// GET /api/metrics is public unless METRICS_TOKEN is set; then it needs that Bearer token.
import 'server-only';
import { timingSafeEqual, createHash } from 'node:crypto';
import { ApiError } from '@/lib/api/errors';
import { env } from '@/lib/env';
import { bearerToken } from './authorize';

export function metricsTokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  // Equal-length digests so the comparison takes the same time whatever was sent.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Throws ApiError('unauthorized') unless metrics are public or the request bears METRICS_TOKEN. */
export function authorizeMetrics(request: Request, metricsToken = env().METRICS_TOKEN): void {
  if (!metricsToken) return;
  if (!metricsTokenMatches(bearerToken(request), metricsToken)) {
    throw new ApiError('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>');
  }
}

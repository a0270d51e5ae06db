// Times API handlers for eventdesk_http_request_duration_seconds. Route labels are path
// patterns (ids replaced), so the series stay few.
import { metrics } from './registry';

const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+|[0-9a-f]{16,}|[A-Za-z0-9_-]{21,})$/i;

export function routePattern(pathname: string): string {
  return pathname
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? ':id' : s))
    .join('/');
}

export function observeHttp(method: string, pathname: string, status: number, seconds: number): void {
  try {
    metrics().httpDuration.observe({ method, route: routePattern(pathname), status: String(status) }, seconds);
  } catch {
    /* never break a request for a metric */
  }
}

/** Wraps a route handler; the one call lib/api/handler.ts makes. */
export function withHttpMetrics<C>(handler: (request: Request, context: C) => Promise<Response>) {
  return async (request: Request, context: C): Promise<Response> => {
    const start = performance.now();
    let status = 500;
    try {
      const response = await handler(request, context);
      status = response.status;
      return response;
    } finally {
      observeHttp(request.method, new URL(request.url).pathname, status, (performance.now() - start) / 1000);
    }
  };
}

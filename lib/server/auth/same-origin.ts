// Cross-site request refusal for cookie-authenticated writes. SameSite=Lax already keeps the
// cookie off most cross-site POSTs; this also covers same-site subdomains and old browsers.
import 'server-only';
import { env } from '@/lib/env';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host.toLowerCase() || null; // file:, data: and the like name no host
  } catch {
    return null;
  }
}

/**
 * True when the request comes from the console's own pages: its Origin (or, failing that, its
 * Referer) names the host the request was sent to, or the configured NEXTAUTH_URL. Browsers send
 * Origin on every cross-origin and every POST request; a request with neither header and no
 * Sec-Fetch-Site is not from a browser, so it cannot be a forged cross-site request.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  // an Origin (other than "null") that names no host is no proof of anything: refused, never
  // taken for the headerless request of a script
  if (origin && origin !== 'null' && hostOf(origin) === null) return false;
  const claimed = hostOf(origin) ?? hostOf(request.headers.get('referer'));
  if (!claimed) {
    if (request.headers.get('origin') === 'null') return false; // sandboxed frames, data: URLs
    const site = request.headers.get('sec-fetch-site');
    return !site || site === 'same-origin';
  }
  const allowed = new Set<string>();
  const forwardedHost = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  for (const h of [request.headers.get('host'), forwardedHost, hostOf(env().NEXTAUTH_URL)]) {
    if (h) allowed.add(h.toLowerCase());
  }
  return allowed.has(claimed);
}

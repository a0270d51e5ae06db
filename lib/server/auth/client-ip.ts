// The address a request came from, for the per-IP sign-in limit.
import 'server-only';

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined;
  const v = source[name] ?? source[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The right-most X-Forwarded-For entry: the one added by the nearest hop (Next's own server, or
 * the reverse proxy in front), which a client cannot forge. Left-most entries are whatever the
 * client claims and would let it dodge the per-IP limit by inventing addresses.
 */
export function clientIp(source: HeaderSource): string {
  const forwarded = header(source, 'x-forwarded-for');
  const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).pop();
  return last || header(source, 'x-real-ip') || 'unknown';
}

// Link from a dead letter to its trace in Jaeger, when JAEGER_URL is set: the trace id is the
// second field of the W3C traceparent header (version-traceid-parentid-flags).
import 'server-only';
import { env } from '@/lib/env';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function traceIdOf(traceparent: unknown): string | null {
  if (typeof traceparent !== 'string') return null;
  const m = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return null;
  return m[2];
}

/** `${JAEGER_URL}/trace/<trace id>`, or null without JAEGER_URL or a valid traceparent. */
export function traceUrl(traceparent: unknown, jaegerUrl: string | undefined = env().JAEGER_URL): string | null {
  const id = traceIdOf(traceparent);
  if (!id || !jaegerUrl) return null;
  return `${jaegerUrl.replace(/\/+$/, '')}/trace/${id}`;
}

// W3C trace context for published events: the active OpenTelemetry span's context when a tracer
// is installed, else a fresh root (so every event can still be followed across services).
import { randomBytes } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value);
}

export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export function currentTraceparent(): string {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return isTraceparent(carrier.traceparent) ? carrier.traceparent : newTraceparent();
}

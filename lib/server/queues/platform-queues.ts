// The platform's consumer queues and the event types bound to each: the spec's consumer map
// (lib/platform/consumers.ts, the same one `npm run demo` declares), with each service's retry
// queues beside it (they hold events waiting for their next attempt).
import 'server-only';
import { PLATFORM_CONSUMERS } from '@/lib/platform/consumers';
import { DEFAULT_RETRY_DELAYS_MS, retryQueueNames } from '@/lib/platform/topology';

/** queue name -> event types it consumes (retry queues: those of their service) */
export function platformQueueBindings(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of PLATFORM_CONSUMERS) {
    out.set(s.name, [...s.eventTypes]);
    for (const q of retryQueueNames(s.name, DEFAULT_RETRY_DELAYS_MS)) out.set(q, [...s.eventTypes]);
  }
  return out;
}

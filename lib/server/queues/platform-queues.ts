// The platform's consumer queues and the event types bound to each: the spec's consumer map
// (lib/platform/consumers.ts, the same one `npm run demo` declares), with each service's retry
// queues beside it (they hold events waiting for their next attempt).
import 'server-only';
import { PLATFORM_CONSUMERS } from '@/lib/platform/consumers';
import { DEFAULT_RETRY_DELAYS_MS, retryQueueNames } from '@/lib/platform/topology';

export interface PlatformQueue {
  bindings: string[];
  /** the service queue this retry queue feeds back into; null for a service queue */
  retryOf: string | null;
}

/** queue name -> event types it consumes (retry queues: those of their service) */
export function platformQueues(): Map<string, PlatformQueue> {
  const out = new Map<string, PlatformQueue>();
  for (const s of PLATFORM_CONSUMERS) {
    out.set(s.name, { bindings: [...s.eventTypes], retryOf: null });
    for (const name of retryQueueNames(s.name, DEFAULT_RETRY_DELAYS_MS)) out.set(name, { bindings: [...s.eventTypes], retryOf: s.name });
  }
  return out;
}

// The platform's consumer services in miniature: each handles its event types with a little
// simulated work, and fails where the fault plan says so.
import type { EventHandlers } from '@/lib/platform/handler-types';
import type { ServiceSpec } from '@/lib/platform/consumers';
import { sleep } from '@/lib/backoff';
import { DOWNSTREAM_ERRORS, FaultPlan } from './fault-plan';

export interface SimulatedServiceOptions {
  faults: FaultPlan;
  /** how long a hanging handler hangs (longer than the handler timeout) */
  hangMs: number;
}

/** Handlers for one service; `name` is the spec's service name (without a test prefix). */
export function simulatedHandlers(spec: ServiceSpec, o: SimulatedServiceOptions): EventHandlers {
  const handlers: Record<string, (event: { eventId: string; data: unknown }, ctx: { signal: AbortSignal }) => Promise<void>> = {};
  for (const type of spec.eventTypes) {
    handlers[type] = async (event, ctx) => {
      const fault = o.faults.take(event.eventId, spec.name);
      if (fault === 'timeout') {
        await sleep(o.hangMs, ctx.signal); // a stuck downstream call; the library's timeout fires first
        return;
      }
      await sleep(1 + Math.random() * 5); // the real work: an HTTP call, a row, an email
      if (fault) {
        const data = event.data as Record<string, string>;
        const ref = data.orderId ?? data.userId ?? data.mediaId ?? event.eventId;
        throw new Error(DOWNSTREAM_ERRORS[spec.name](ref));
      }
    };
  }
  return handlers;
}

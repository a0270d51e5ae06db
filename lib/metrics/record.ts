// Small functions other code in EventDesk's process calls to feed the metrics, so nobody else
// touches the registry. Each is cheap and never throws. (Republishes, bulk jobs, dead letters and
// the tap need no calls: they are read at scrape time.)
import { metrics } from './registry';

/** Consumption EventDesk witnesses (e.g. platform library code running in this process). */
export function recordConsumed(eventType: string, queue: string, n = 1): void {
  safe(() => metrics().eventsConsumed.inc({ event_type: eventType, queue }, n));
}

/** Processing time reported by the platform library, in seconds. */
export function observeProcessing(eventType: string, queue: string, seconds: number): void {
  safe(() => metrics().processingDuration.observe({ event_type: eventType, queue }, seconds));
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    /* metrics must never break the work they measure */
  }
}

// Small functions other parts of EventDesk call to feed the metrics, so nobody else touches the
// registry. Each is cheap (a map lookup and an add) and never throws.
import { metrics } from './registry';

/** A dead letter was republished (republish route, bulk job). */
export function recordRepublish(eventType: string | null | undefined, target: 'origin' | 'exchange' = 'origin', n = 1): void {
  safe(() => metrics().republished.inc({ event_type: eventType ?? '(unknown)', target }, n));
}

/** Items a bulk job has finished, by outcome. */
export function recordBulkItems(action: string, outcome: 'succeeded' | 'failed' | 'skipped', n = 1): void {
  if (n > 0) safe(() => metrics().bulkItems.inc({ action, outcome }, n));
}

/** Progress of a running bulk job; call with done === total (or clearBulkJob) when it ends. */
export function reportBulkJobProgress(jobId: string, action: string, done: number, total: number): void {
  safe(() => {
    if (total > 0 && done < total) metrics().bulkProgress.set({ job_id: jobId, action }, done / total);
    else metrics().bulkProgress.remove({ job_id: jobId, action });
  });
}

export function clearBulkJob(jobId: string, action: string): void {
  safe(() => metrics().bulkProgress.remove({ job_id: jobId, action }));
}

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

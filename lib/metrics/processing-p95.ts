// p95 of event_processing_duration_seconds per event type, estimated from the histogram's
// buckets (linear inside the bucket, as Prometheus' histogram_quantile does). Empty when no
// platform code in this process reports processing times.
import { metrics } from './registry';

export async function processingP95ByType(): Promise<Map<string, number>> {
  const data = await metrics().processingDuration.get();
  // event_type -> le -> cumulative count, summed over queues
  const byType = new Map<string, Map<number, number>>();
  for (const v of data.values) {
    if (!v.metricName?.endsWith('_bucket')) continue;
    const labels = v.labels as Record<string, string | number | undefined>;
    const type = String(labels.event_type);
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    const buckets = byType.get(type) ?? new Map<number, number>();
    buckets.set(le, (buckets.get(le) ?? 0) + v.value);
    byType.set(type, buckets);
  }
  const out = new Map<string, number>();
  for (const [type, buckets] of byType) {
    const q = quantileFromBuckets(
      0.95,
      [...buckets].sort((a, b) => a[0] - b[0]),
    );
    if (q !== null) out.set(type, q);
  }
  return out;
}

/** buckets: [upper bound, cumulative count] sorted by bound, the last one +Inf. */
export function quantileFromBuckets(q: number, buckets: [number, number][]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) return prevBound; // beyond the last finite bucket: its bound is the best we know
      return prevBound + ((bound - prevBound) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

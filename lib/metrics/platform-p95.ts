// p95 processing time per event type as the platform's services report it: their Prometheus
// endpoints (PLATFORM_METRICS_URLS) expose event_processing_duration_seconds (lib/platform), which
// EventDesk reads at most every 15 s. The histogram is cumulative since each service started, so
// the p95 is taken over the difference from a snapshot a few minutes old when there is one
// (recent behaviour, like Prometheus' rate()), else over everything counted so far.
import { deadlineSignal } from '@/lib/deadline-signal';
import { parsePrometheusText } from './parse-prometheus-text';
import { quantileFromBuckets } from './processing-p95';

/** event_type -> le -> cumulative count, summed over services and endpoints */
export type BucketSnapshot = Map<string, Map<number, number>>;

const FAMILY = 'event_processing_duration_seconds';
const REFRESH_MS = 15_000;
const WINDOW_MS = 5 * 60_000;

export function bucketsFromText(text: string, into: BucketSnapshot = new Map()): BucketSnapshot {
  const family = parsePrometheusText(text).get(FAMILY);
  for (const s of family?.samples ?? []) {
    if (s.name !== `${FAMILY}_bucket` || !s.labels.event_type) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    const byLe = into.get(s.labels.event_type) ?? new Map<number, number>();
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    into.set(s.labels.event_type, byLe);
  }
  return into;
}

/** p95 per type of `now`, over what was added since `before` (when no counter went down). */
export function p95Since(now: BucketSnapshot, before: BucketSnapshot | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const [type, byLe] of now) {
    const old = before?.get(type);
    const reset = old ? [...byLe].some(([le, n]) => n < (old.get(le) ?? 0)) : true;
    const cumulative = [...byLe].sort((a, b) => a[0] - b[0]);
    const recent = cumulative.map(([le, n]): [number, number] => [le, reset ? n : n - (old!.get(le) ?? 0)]);
    // nothing new in the window: the type is quiet, its all-time p95 is still the best answer
    const q = quantileFromBuckets(0.95, recent) ?? quantileFromBuckets(0.95, cumulative);
    if (q !== null) out.set(type, q);
  }
  return out;
}

interface State {
  key: string;
  fetchedAt: number;
  result: Map<string, number>;
  history: { at: number; snapshot: BucketSnapshot }[];
  inflight: Promise<Map<string, number>> | null;
}

const holder = globalThis as unknown as { __eventdeskPlatformP95?: State };

async function fetchSnapshot(urls: string[], timeoutMs: number): Promise<BucketSnapshot | null> {
  const snapshot: BucketSnapshot = new Map();
  let any = false;
  await Promise.all(
    urls.map(async (url) => {
      const deadline = deadlineSignal(timeoutMs);
      try {
        // the deadline covers reading the body too
        const res = await fetch(url, { signal: deadline.signal, headers: { accept: 'text/plain' } });
        if (!res.ok) return;
        bucketsFromText(await res.text(), snapshot);
        any = true;
      } catch {
        /* a service that does not answer just adds nothing this time */
      } finally {
        deadline.clear();
      }
    }),
  );
  return any ? snapshot : null;
}

/** p95 per event type from the platform's endpoints; empty without PLATFORM_METRICS_URLS. */
export async function platformP95ByType(urls: string[], now = Date.now(), timeoutMs = 2000): Promise<Map<string, number>> {
  if (urls.length === 0) return new Map();
  const key = urls.join(',');
  let state = holder.__eventdeskPlatformP95;
  if (!state || state.key !== key) state = holder.__eventdeskPlatformP95 = { key, fetchedAt: 0, result: new Map(), history: [], inflight: null };
  if (now - state.fetchedAt < REFRESH_MS) return state.result;
  const s = state;
  s.inflight ??= (async () => {
    const snapshot = await fetchSnapshot(urls, timeoutMs);
    s.fetchedAt = Date.now();
    if (snapshot) {
      s.history = s.history.filter((h) => now - h.at <= 2 * WINDOW_MS);
      const base = s.history.find((h) => now - h.at >= WINDOW_MS) ?? null;
      s.result = p95Since(snapshot, base?.snapshot ?? null);
      s.history.push({ at: now, snapshot });
    }
    return s.result;
  })().finally(() => {
    s.inflight = null;
  });
  return s.inflight;
}

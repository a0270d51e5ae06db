// Pure pieces of monitoring: bucket sizes, chart rows, p95 from histogram buckets, trace links,
// route patterns for the HTTP metric.
import { describe, expect, it } from 'vitest';
import { bucketSecondsFor } from '@/lib/bus/tap-rollups';
import { toChartRows, publishedKey, deadKey, errorRateAllKey, errorRateKey } from '@/components/throughput/to-chart-rows';
import { quantileFromBuckets } from '@/lib/metrics/processing-p95';
import { traceIdOf, traceUrl } from '@/lib/server/trace-link';
import { routePattern } from '@/lib/metrics/http-metrics';
import { assessQueue } from '@/lib/bus/queue-health';
import { tapQueueArguments } from '@/lib/bus/tap';

describe('bucket size follows the range', () => {
  it.each([
    [15 * 60_000, 60],
    [3_600_000, 60],
    [6 * 3_600_000, 300],
    [24 * 3_600_000, 900],
    [7 * 24 * 3_600_000, 3600],
    [30 * 24 * 3_600_000, 14_400],
  ])('%i ms -> %i s', (range, bucket) => expect(bucketSecondsFor(range)).toBe(bucket));
});

describe('toChartRows', () => {
  it('fills every bucket of the range, converts to per second, orders types by volume', () => {
    const data = toChartRows({
      bucketSeconds: 60,
      from: '2026-11-27T10:00:00.000Z',
      to: '2026-11-27T10:03:00.000Z',
      series: [
        { t: '2026-11-27T10:01:00.000Z', eventType: 'user.created', published: 60, deadLettered: 0, failedEvents: 0 },
        // 30 failed events that died in two queues each: 60 deaths, still 25 % of the events
        { t: '2026-11-27T10:01:00.000Z', eventType: 'order.created', published: 120, deadLettered: 60, failedEvents: 30 },
      ],
    });
    expect(data.types).toEqual(['order.created', 'user.created']);
    expect(data.rows.map((r) => new Date(r.t).toISOString())).toEqual(['2026-11-27T10:00:00.000Z', '2026-11-27T10:01:00.000Z', '2026-11-27T10:02:00.000Z']);
    expect(data.rows[1][publishedKey(0)]).toBe(2);
    expect(data.rows[1][deadKey(0)]).toBe(1);
    expect(data.rows[1][errorRateKey(0)]).toBe(25);
    // over all types: 30 failed of 180 published, not the mean of the types' rates (12.5 %)
    expect(data.rows[1][errorRateAllKey]).toBeCloseTo(100 / 6, 10);
    expect(data.rows[0][errorRateAllKey]).toBe(0);
    expect(data.rows[0][publishedKey(1)]).toBe(0);
    expect(data.publishedTotal).toBe(180);
    expect(data.deadLetteredTotal).toBe(60);
  });
});

describe('p95 from histogram buckets', () => {
  it('interpolates inside the bucket, and is null without observations', () => {
    expect(
      quantileFromBuckets(0.95, [
        [0.1, 0],
        [0.5, 100],
        [Infinity, 100],
      ]),
    ).toBeCloseTo(0.48);
    expect(
      quantileFromBuckets(0.95, [
        [0.1, 0],
        [Infinity, 0],
      ]),
    ).toBeNull();
  });
});

describe('trace links', () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  it('takes the trace id from a W3C traceparent', () => {
    expect(traceIdOf(tp)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceUrl(tp, 'http://jaeger:16686/')).toBe('http://jaeger:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736');
  });
  it('gives nothing without JAEGER_URL or with an invalid header', () => {
    expect(traceUrl(tp, undefined)).toBeNull();
    expect(traceUrl('00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'http://j')).toBeNull();
    expect(traceUrl('garbage', 'http://j')).toBeNull();
    expect(traceUrl(undefined, 'http://j')).toBeNull();
  });
});

describe('metric labels and queue states', () => {
  it('replaces ids in route labels', () => {
    expect(routePattern('/api/dead-letters/4bf92f35-77b3-4da6-a3ce-929d0e0e4736/republish')).toBe('/api/dead-letters/:id/republish');
    expect(routePattern('/api/bulk/123')).toBe('/api/bulk/:id');
    expect(routePattern('/api/stats/throughput')).toBe('/api/stats/throughput');
  });
  it('flags messages without consumers only', () => {
    expect(assessQueue('q', { messageCount: 5, consumerCount: 0 }).noConsumers).toBe(true);
    expect(assessQueue('q', { messageCount: 0, consumerCount: 0 }).noConsumers).toBe(false);
    expect(assessQueue('q', { messageCount: 5, consumerCount: 1 }).noConsumers).toBe(false);
    expect(assessQueue('q', null)).toMatchObject({ exists: false, noConsumers: false });
  });
  it('bounds the tap queue', () => {
    expect(tapQueueArguments(1000)).toMatchObject({ 'x-max-length': 1000, 'x-overflow': 'drop-head' });
  });
});

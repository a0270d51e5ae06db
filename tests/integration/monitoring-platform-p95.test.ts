// p95 processing time from the platform services' own Prometheus endpoints: a service exposing
// lib/platform's metrics over HTTP, read the way the throughput table reads it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { platformMetrics } from '@/lib/platform/metrics';
import { bucketsFromText, p95Since, platformP95ByType } from '@/lib/metrics/platform-p95';

let server: http.Server;
let url: string;
const registry = new Registry();

beforeAll(async () => {
  const m = platformMetrics(registry);
  for (let i = 0; i < 100; i++) m.duration.observe({ event_type: 'order.created', service: 'payment-service' }, i < 90 ? 0.02 : 0.4);
  for (let i = 0; i < 10; i++) m.duration.observe({ event_type: 'user.created', service: 'notification-service' }, 1.5);
  server = http.createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('platform p95', () => {
  it('reads p95 per event type from a service endpoint; an unreachable endpoint adds nothing', async () => {
    const p95 = await platformP95ByType([url, 'http://127.0.0.1:9/metrics'], Date.now(), 1000);
    // 95th of 100 observations lies in the (0.25, 0.5] bucket; 1.5 s lies in (1, 2.5]
    expect(p95.get('order.created')).toBeGreaterThan(0.25);
    expect(p95.get('order.created')).toBeLessThanOrEqual(0.5);
    expect(p95.get('user.created')).toBeGreaterThan(1);
    expect(p95.get('user.created')).toBeLessThanOrEqual(2.5);
  });

  it('takes the p95 of what changed since an older snapshot', async () => {
    const before = bucketsFromText(await registry.metrics());
    platformMetrics(registry).duration.observe({ event_type: 'order.created', service: 'payment-service' }, 8);
    for (let i = 0; i < 4; i++) platformMetrics(registry).duration.observe({ event_type: 'order.created', service: 'payment-service' }, 7);
    const now = bucketsFromText(await registry.metrics());
    const recent = p95Since(now, before).get('order.created')!;
    expect(recent).toBeGreaterThan(5); // only the 5 slow ones, all in (5, 10]
    expect(p95Since(now, null).get('order.created')!).toBeLessThan(5); // all-time: mostly fast
  });
});

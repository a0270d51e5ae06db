// EventPublisher: refuses invalid events; a valid event reaches every bound consumer exactly once,
// with the properties and headers the spec asks for.
import type { GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { EventPublisher, EventValidationError } from '@/lib/platform/publisher';
import { subscribe, type Subscription } from '@/lib/platform/subscribe';
import type { HandlerContext } from '@/lib/platform/handler-types';
import { depth, makeEvent, platformFixture, silent, waitFor, type PlatformFixture } from './platform-fixture';

let f: PlatformFixture;
const subs: Subscription[] = [];

beforeAll(async () => {
  f = await platformFixture();
});
afterAll(async () => {
  for (const s of subs) await s.close();
  await f?.cleanup();
});

describe('EventPublisher', () => {
  it('refuses an invalid event with its violations and sends nothing', async () => {
    const probe = f.service('pub.probe');
    const sub = await subscribe(probe, { 'order.created': async () => {} }, { connection: f.broker.connection, exchange: f.exchange, logger: silent });
    await sub.pause();
    subs.push(sub);
    const bad = makeEvent('order.created');
    (bad.data as Record<string, unknown>).totalAmount = -5;
    delete (bad.data as Record<string, unknown>).currency;
    const error = await f.publisher.publish(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).violations.map((v) => v.path).sort()).toEqual(['$.data.currency', '$.data.totalAmount']);
    await expect(f.publisher.publish({ eventType: 'nope.created' })).rejects.toThrow(/unknown-type/);
    await new Promise((r) => setTimeout(r, 200));
    expect(await depth(f.broker, probe)).toBe(0);
  });

  it('delivers a valid event once to each bound consumer, with ids, correlation and trace headers', async () => {
    const seen: Record<string, { event: unknown; ctx: HandlerContext }[]> = { a: [], b: [], other: [] };
    const a = f.service('pub.a');
    const b = f.service('pub.b');
    const other = f.service('pub.other');
    const opts = { connection: f.broker.connection, exchange: f.exchange, logger: silent, metrics: f.registry };
    subs.push(await subscribe(a, { 'course.published': async (event, ctx) => void seen.a.push({ event, ctx }) }, opts));
    subs.push(await subscribe(b, { 'course.published': async (event, ctx) => void seen.b.push({ event, ctx }), 'course.created': async () => {} }, opts));
    subs.push(await subscribe(other, { 'course.created': async (event, ctx) => void seen.other.push({ event, ctx }) }, opts));

    const event = makeEvent('course.published');
    const published = await f.publisher.publish(event, { correlationId: 'corr-publish-1' });
    expect(published).toEqual({ eventId: event.eventId, eventType: 'course.published', correlationId: 'corr-publish-1' });

    await waitFor(() => seen.a.length >= 1 && seen.b.length >= 1, 10_000, 'both consumers');
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive in this window
    expect(seen.a).toHaveLength(1);
    expect(seen.b).toHaveLength(1);
    expect(seen.other).toHaveLength(0);
    expect(seen.a[0].event).toEqual(event);
    const ctx = seen.a[0].ctx;
    expect(ctx.correlationId).toBe('corr-publish-1');
    expect(ctx.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(ctx.attempt).toBe(1);
    expect(ctx.headers['x-correlation-id']).toBe('corr-publish-1');

    const metrics = await f.registry.getSingleMetricAsString('events_published_total');
    expect(metrics).toMatch(/events_published_total\{event_type="course.published",service="test-producer"\} 1/);
    const consumed = await f.registry.getSingleMetricAsString('events_consumed_total');
    expect(consumed).toContain(`event_type="course.published",service="${a}"`);
  });

  it('labels a publisher without a service by its events\' sources, the first 20 of them, then "other"', async () => {
    const registry = new Registry();
    const publisher = new EventPublisher({ connection: f.broker.connection, exchange: f.exchange, logger: silent, metrics: registry });
    try {
      for (let i = 0; i < 25; i++) await publisher.publish({ ...makeEvent('course.published'), source: `svc-${i}` });
      await publisher.publish({ ...makeEvent('course.published'), source: 'svc-0' });
    } finally {
      await publisher.close();
    }
    const text = await registry.getSingleMetricAsString('events_published_total');
    expect(text).toContain('events_published_total{event_type="course.published",service="svc-0"} 2');
    expect(text).toContain('events_published_total{event_type="course.published",service="svc-19"} 1');
    expect(text).not.toContain('svc-20');
    expect(text).toContain('events_published_total{event_type="course.published",service="other"} 5');
  });

  it('sets the AMQP properties: persistent, message id, content type, correlation id', async () => {
    const q = f.service('pub.raw');
    await f.broker.channel.assertQueue(q, { durable: true });
    await f.broker.channel.bindQueue(q, f.exchange, 'review.created');
    const event = makeEvent('review.created');
    await f.publisher.publish(event);
    let got: GetMessage | undefined;
    await waitFor(async () => Boolean((got = (await f.broker.channel.get(q, { noAck: true })) || undefined)), 5_000, 'raw message');
    if (!got) throw new Error('no message');
    expect(got.fields.routingKey).toBe('review.created');
    expect(got.properties.deliveryMode).toBe(2);
    expect(got.properties.messageId).toBe(event.eventId);
    expect(got.properties.contentType).toBe('application/json');
    expect(got.properties.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.properties.headers?.['x-correlation-id']).toBe(got.properties.correlationId);
    expect(got.properties.headers?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(JSON.parse(got.content.toString())).toEqual(event);
  });
});

// Timeout, contract violations (straight to the DLQ), previous-major upcast, unsupported major,
// poison bodies, and a message republished from the DLQ getting its retries again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UserCreatedV2 } from '@/lib/events/contracts/user-created.v2';
import { subscribe, type Subscription } from '@/lib/platform/subscribe';
import type { HandlerContext } from '@/lib/platform/handler-types';
import { deaths, depth, drainQueue, makeEvent, platformFixture, publishRaw, silent, waitFor, type PlatformFixture } from './platform-fixture';

let f: PlatformFixture;
const subs: Subscription[] = [];

beforeAll(async () => {
  f = await platformFixture();
});
// Every test's queue stays bound to the shared exchange: stop its consumer so it cannot
// dead-letter the next test's events.
afterEach(async () => {
  for (const s of subs.splice(0)) await s.close();
});
afterAll(async () => {
  await f?.cleanup();
});

const DELAYS = [50, 100, 150];
const base = () => ({ connection: f.broker.connection, exchange: f.exchange, logger: silent, retryDelaysMs: DELAYS });

async function oneDeadLetter() {
  await waitFor(async () => (await depth(f.broker, f.dlq)) >= 1, 15_000, 'a dead letter');
  const messages = await drainQueue(f.broker, f.dlq);
  expect(messages).toHaveLength(1);
  return messages[0];
}

describe('handling', () => {
  it('counts a handler running past its timeout as a failure and aborts its signal', async () => {
    const service = f.service('handle.timeout', DELAYS);
    const aborted: boolean[] = [];
    subs.push(
      await subscribe(
        service,
        {
          'media.processed': (_e, ctx) =>
            new Promise<void>((resolve) => {
              ctx.signal.addEventListener('abort', () => {
                aborted.push(true);
                resolve();
              });
            }),
        },
        { ...base(), timeoutMs: 150 },
      ),
    );
    await f.publisher.publish(makeEvent('media.processed'));
    const dead = await oneDeadLetter();
    expect(dead.properties.headers?.['x-last-error']).toBe('HandlerTimeoutError: handler timed out after 150 ms');
    expect(aborted).toHaveLength(4);
    expect(deaths(dead).filter((d) => d.reason === 'expired')).toHaveLength(3);
  });

  it('sends a contract violation to the DLQ at once, without calling the handler or retrying', async () => {
    const service = f.service('handle.contract', DELAYS);
    let calls = 0;
    subs.push(await subscribe(service, { 'order.created': async () => void calls++ }, base()));
    const bad = makeEvent('order.created');
    (bad.data as Record<string, unknown>).totalAmount = -10;
    const body = Buffer.from(JSON.stringify(bad));
    await publishRaw(f, 'order.created', body, { messageId: bad.eventId, contentType: 'application/json' });
    const dead = await oneDeadLetter();
    expect(calls).toBe(0);
    expect(dead.content.equals(body)).toBe(true);
    expect(deaths(dead)).toEqual([{ queue: service, reason: 'rejected', count: 1, 'routing-keys': ['order.created'] }]);
    expect(String(dead.properties.headers?.['x-last-error'])).toMatch(/^contract violation \(invalid\): \$\.data\.totalAmount: must not be negative/);
    expect(dead.properties.headers?.['x-retry-count']).toBeUndefined();
  });

  it('dead-letters poison bodies (non-JSON, binary, empty) at once with their exact bytes', async () => {
    const service = f.service('handle.poison', DELAYS);
    let calls = 0;
    subs.push(await subscribe(service, { 'review.created': async () => void calls++ }, base()));
    const bodies = [Buffer.from('<<not json>>'), Buffer.from([0xff, 0x00, 0xfe, 0x01]), Buffer.alloc(0)];
    for (const b of bodies) await publishRaw(f, 'review.created', b, { contentType: 'text/plain' });
    await waitFor(async () => (await depth(f.broker, f.dlq)) >= 3, 15_000, 'three dead letters');
    const dead = await drainQueue(f.broker, f.dlq);
    expect(calls).toBe(0);
    expect(dead.map((m) => m.content.toString('hex')).sort()).toEqual(bodies.map((b) => b.toString('hex')).sort());
    for (const m of dead) {
      expect(String(m.properties.headers?.['x-last-error'])).toMatch(/^contract violation \(unparseable\)/);
      expect(deaths(m)[0]).toMatchObject({ queue: service, reason: 'rejected', 'routing-keys': ['review.created'] });
    }
  });

  it('labels the metrics of a message of no known event type "unknown", whatever its body or type says', async () => {
    // each made-up type was a new series kept for the life of the service (unbounded memory)
    const service = f.service('handle.label', DELAYS);
    subs.push(await subscribe(service, { 'review.created': async () => {} }, { ...base(), metrics: f.registry }));
    const made = ['made.up.one', 'made.up.two', 'made.up.three'];
    for (const t of made) {
      const body = Buffer.from(JSON.stringify({ ...makeEvent('review.created'), eventType: t }));
      await publishRaw(f, 'review.created', body, { contentType: 'application/json', type: t });
    }
    await waitFor(async () => (await depth(f.broker, f.dlq)) >= 3, 15_000, 'three dead letters');
    expect(await drainQueue(f.broker, f.dlq)).toHaveLength(3);
    const errors = await f.registry.getSingleMetricAsString('event_processing_errors_total');
    expect(errors).toContain(`event_processing_errors_total{event_type="unknown",service="${service}"} 3`);
    expect(await f.registry.metrics()).not.toContain('made.up');
  });

  it('upcasts a previous major (user.created 1.x) before the handler sees it', async () => {
    const service = f.service('handle.upcast', DELAYS);
    const seen: { event: UserCreatedV2; ctx: HandlerContext }[] = [];
    subs.push(await subscribe(service, { 'user.created': async (event, ctx) => void seen.push({ event, ctx }) }, base()));
    const v1 = makeEvent('user.created', '1.0');
    const v2 = makeEvent('user.created', '2.0');
    await f.publisher.publish(v1);
    await f.publisher.publish(v2);
    await waitFor(() => seen.length >= 2, 10_000, 'two events');
    const fromV1 = seen.find((s) => s.event.eventId === v1.eventId)!;
    expect(fromV1.event.version).toBe('2.0');
    expect(fromV1.event.data.name).toEqual({ first: 'John', last: 'Doe' });
    expect(fromV1.event.data).not.toHaveProperty('firstName');
    expect(fromV1.ctx.publishedVersion).toBe('1.0');
    const fromV2 = seen.find((s) => s.event.eventId === v2.eventId)!;
    expect(fromV2.event).toEqual(v2);
    expect(fromV2.ctx.publishedVersion).toBe('2.0');
    expect(await depth(f.broker, f.dlq)).toBe(0);
  });

  it('dead-letters an unsupported major without calling the handler', async () => {
    const service = f.service('handle.major', DELAYS);
    let calls = 0;
    subs.push(await subscribe(service, { 'user.created': async () => void calls++ }, base()));
    const v3: Record<string, unknown> = { ...makeEvent('user.created', '2.0'), version: '3.0' };
    await publishRaw(f, 'user.created', Buffer.from(JSON.stringify(v3)), { messageId: String(v3.eventId) });
    const dead = await oneDeadLetter();
    expect(calls).toBe(0);
    expect(String(dead.properties.headers?.['x-last-error'])).toMatch(/unsupported-version.*major 3 of user\.created is not supported/);
  });

  it('gives a message republished from the DLQ its retries again (new republish cycle)', async () => {
    const service = f.service('handle.cycle', DELAYS);
    const attempts: number[] = [];
    subs.push(
      await subscribe(
        service,
        {
          'course.created': async (_e, ctx) => {
            attempts.push(ctx.attempt);
            if (attempts.length === 1) throw new Error('search cluster red');
          },
        },
        base(),
      ),
    );
    const event = makeEvent('course.created');
    // What EventDesk sends back: the dead letter's headers (minus x-death) plus its republish count.
    await publishRaw(f, 'course.created', Buffer.from(JSON.stringify(event)), {
      messageId: event.eventId,
      headers: {
        'x-retry-count': 3,
        'x-retry-cycle': 0,
        'x-platform-dead-letter': 0,
        'x-last-error': 'old error',
        'x-original-routing-key': 'course.created',
        'x-eventdesk-republish-count': 1,
      },
    });
    await waitFor(() => attempts.length >= 2, 10_000, 'a retry');
    expect(attempts).toEqual([1, 2]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await depth(f.broker, f.dlq)).toBe(0);
  });
});

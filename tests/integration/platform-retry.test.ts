// Retry path: exponential backoff through TTL retry queues, 3 retries, then RabbitMQ
// dead-letters the message into the DLQ with its x-death history and x-last-error.
import type { GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventType } from '@/lib/events/event-types';
import type { EventHandlers } from '@/lib/platform/handler-types';
import { MemoryIdempotencyStore } from '@/lib/platform/idempotency';
import { EventPublisher } from '@/lib/platform/publisher';
import { subscribe, type Subscription } from '@/lib/platform/subscribe';
import { uniqueName } from '../helpers/amqp';
import { deaths, depth, drainQueue, makeEvent, platformFixture, publishRaw, silent, waitFor, type PlatformFixture } from './platform-fixture';

let f: PlatformFixture;
const subs: Subscription[] = [];

beforeAll(async () => {
  f = await platformFixture();
});
afterAll(async () => {
  for (const s of subs) await s.close();
  await f?.cleanup();
});

const base = () => ({ connection: f.broker.connection, exchange: f.exchange, logger: silent, metrics: f.registry });

/** Subscribes a service (retry delays 100, 200, 300 ms) whose handler of `type` tells `onCall` of each event, then throws `thrown`. */
async function failingService(label: string, type: EventType, thrown: unknown, onCall: (eventId: string) => void = () => {}): Promise<string> {
  const delays = [100, 200, 300];
  const service = f.service(label, delays);
  const handlers = {
    [type]: async (e: { eventId: string }) => {
      onCall(e.eventId);
      throw thrown;
    },
  } as EventHandlers;
  subs.push(await subscribe(service, handlers, { ...base(), retryDelaysMs: delays }));
  return service;
}

describe('retries', () => {
  it('calls a handler that fails twice then succeeds 3 times, and nothing reaches the DLQ', async () => {
    const delays = [100, 200, 400];
    const service = f.service('retry.flaky', delays);
    const attempts: number[] = [];
    subs.push(
      await subscribe(
        service,
        {
          'order.created': async (_e, ctx) => {
            attempts.push(ctx.attempt);
            if (attempts.length <= 2) throw new Error('payment gateway 503');
          },
        },
        { ...base(), retryDelaysMs: delays },
      ),
    );
    await f.publisher.publish(makeEvent('order.created'));
    await waitFor(() => attempts.length >= 3, 10_000, 'third attempt');
    await new Promise((r) => setTimeout(r, 800)); // longer than every retry delay
    expect(attempts).toEqual([1, 2, 3]);
    expect(await depth(f.broker, f.dlq)).toBe(0);
    expect(await depth(f.broker, service)).toBe(0);
  });

  it('dead-letters an always failing event after exactly 3 retries, with growing delays and x-death counts', async () => {
    const delays = [100, 500, 1500];
    const service = f.service('retry.down', delays);
    const calls: number[] = [];
    let seq = 0;
    subs.push(
      await subscribe(
        service,
        {
          'order.completed': async () => {
            calls.push(Date.now());
            throw new Error(`enrolment DB unavailable (call ${++seq})`);
          },
        },
        { ...base(), retryDelaysMs: delays },
      ),
    );
    const event = makeEvent('order.completed');
    await f.publisher.publish(event, { correlationId: 'corr-retry' });
    await waitFor(async () => (await depth(f.broker, f.dlq)) >= 1, 15_000, 'dead letter');
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toHaveLength(4); // the first delivery and 3 retries

    // The delays grow: the attempts are at least 100, 500 and 1500 ms apart (a TTL never
    // expires early), through the 100 ms, 500 ms and 1500 ms queues (x-death below).
    const gaps = calls.slice(1).map((t, i) => t - calls[i]);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(delays[i] - 5));

    const [dead, ...more] = await drainQueue(f.broker, f.dlq);
    expect(more).toHaveLength(0);
    expect(JSON.parse(dead.content.toString())).toEqual(event);
    expect(dead.fields.routingKey).toBe('order.completed');
    expect(dead.properties.messageId).toBe(event.eventId);
    const h = dead.properties.headers!;
    expect(h['x-last-error']).toBe('enrolment DB unavailable (call 4)');
    expect(h['x-retry-count']).toBe(3);
    expect(h['x-correlation-id']).toBe('corr-retry');
    const history = deaths(dead);
    // newest first: rejected from the service queue after the 3rd retry, each retry queue expired once
    expect(history[0]).toMatchObject({ queue: service, reason: 'rejected', count: 1, 'routing-keys': ['order.completed'] });
    const retries = history.filter((d) => d.reason === 'expired');
    // (the order of these entries is the broker's business once a client has copied x-death)
    expect(retries.map((d) => d.queue).sort()).toEqual([`${service}.retry.100ms`, `${service}.retry.1500ms`, `${service}.retry.500ms`]);
    expect(retries.reduce((n, d) => n + d.count, 0)).toBe(3);
    expect(h['x-first-death-queue']).toBe(`${service}.retry.100ms`);

    const errors = await f.registry.getSingleMetricAsString('event_processing_errors_total');
    expect(errors).toContain(`event_processing_errors_total{event_type="order.completed",service="${service}"} 4`);
    const dlq = await f.registry.getSingleMetricAsString('dlq_message_count');
    expect(dlq).toContain(`dlq_message_count{event_type="order.completed",service="${service}"} 1`);
  });

  it('declares retry queues named after and expiring at the configured delays', async () => {
    const service = f.service('retry.ttl', [100, 500, 1500]);
    subs.push(await subscribe(service, { 'user.created': async () => {} }, { ...base(), retryDelaysMs: [100, 500, 1500] }));
    // Redeclaring with other TTLs fails only if the broker kept ours: PRECONDITION_FAILED proves them.
    const ch = await f.broker.connection.createChannel();
    ch.on('error', () => {});
    await expect(ch.assertQueue(`${service}.retry.500ms`, { durable: true, arguments: { 'x-message-ttl': 999 } })).rejects.toThrow(/PRECONDITION_FAILED/);
    const ok = await f.broker.connection.createChannel();
    await ok.assertQueue(`${service}.retry.500ms`, {
      durable: true,
      arguments: { 'x-message-ttl': 500, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': service },
    });
    await ok.close();
  });
});

describe('odd retry headers and messages no copy can be made of (found by a probe)', () => {
  it('a retry count a producer forged (negative, fractional, a decimal string) counts as none: 3 retries, then the DLQ, nothing lost', async () => {
    const calls = new Map<string, number>();
    await failingService('retry.forged', 'course.published', new Error('always'), (id) => calls.set(id, (calls.get(id) ?? 0) + 1));
    const forged = [-1, 0.5, '1.5'];
    for (const count of forged) {
      const event = makeEvent('course.published');
      // past the publisher, which refuses the library's own headers: as another producer would
      await publishRaw(f, 'course.published', Buffer.from(JSON.stringify(event)), { contentType: 'application/json', headers: { 'x-retry-count': count } });
    }
    await waitFor(async () => (await depth(f.broker, f.dlq)) >= forged.length, 15_000, 'all three dead-lettered');
    expect([...calls.values()]).toEqual([4, 4, 4]); // the first delivery and 3 retries each
    expect(await drainQueue(f.broker, f.dlq)).toHaveLength(forged.length);
  });

  it("the publisher refuses the library's own headers, and sends the event as it checked it", async () => {
    for (const header of ['x-retry-count', 'x-platform-dead-letter', 'x-retry-cycle', 'x-original-routing-key', 'X-Last-Error'])
      await expect(f.publisher.publish(makeEvent('user.created'), { headers: { [header]: 0 } })).rejects.toThrow(/event library's own/);
    // a toJSON that adds a field: what goes on the bus is what was validated (here: refused, an unknown field is fine, a lost one is not)
    const event = { ...makeEvent('user.created'), toJSON: () => ({ eventType: 'user.created' }) };
    await expect(f.publisher.publish(event)).rejects.toThrow();
    // what JSON cannot hold is refused as a broken event, never a bare TypeError
    await expect(f.publisher.publish({ ...makeEvent('user.created'), extra: 10n })).rejects.toMatchObject({ name: 'EventValidationError' });
  });

  it('a message whose retry copy cannot be encoded (headers near 64 KB) is rejected into the DLQ as it is, its handler run once, not looped', async () => {
    let calls = 0;
    const service = await failingService('retry.uncopyable', 'media.processed', new Error('handler down'), () => calls++);
    const event = makeEvent('media.processed');
    // fits on the wire, but not once the copy adds x-last-error and the retry headers
    await publishRaw(f, 'media.processed', Buffer.from(JSON.stringify(event)), { contentType: 'application/json', headers: { big: 'b'.repeat(65_450) } });
    await waitFor(async () => (await depth(f.broker, f.dlq)) >= 1, 15_000, 'the dead letter');
    await new Promise((r) => setTimeout(r, 1500)); // a loop would have run the handler again by now
    expect(calls).toBe(1);
    const [dead] = await drainQueue(f.broker, f.dlq);
    expect(JSON.parse(dead.content.toString())).toEqual(event);
    expect(deaths(dead)[0]).toMatchObject({ queue: service, reason: 'rejected' });
    expect(await depth(f.broker, service)).toBe(0);
  });

  it('a message no copy can be made of, while another delivery holds its claim, is given back a second at a time, then handled once the claim goes', async () => {
    const delays = [100, 200, 300];
    const service = f.service('retry.uncopyable-busy', delays);
    const store = new MemoryIdempotencyStore();
    let claims = 0;
    const counting = {
      claim: (s: string, e: string, lease: number) => {
        claims++;
        return store.claim(s, e, lease);
      },
      complete: (s: string, e: string) => store.complete(s, e),
      release: (s: string, e: string) => store.release(s, e),
    };
    let calls = 0;
    subs.push(await subscribe(service, { 'review.created': async () => void calls++ }, { ...base(), retryDelaysMs: delays, idempotency: counting }));
    // (a type no other subscription of this file has: its queue alone gets it)
    const event = makeEvent('review.created');
    // another delivery of the event holds its claim (a long lease)
    expect(await store.claim(service, String(event.eventId), 60_000)).toBe('claimed');
    // too big to copy to the retry queue that waits out a busy claim
    await publishRaw(f, 'review.created', Buffer.from(JSON.stringify(event)), { contentType: 'application/json', headers: { big: 'b'.repeat(65_450) } });
    await waitFor(() => claims >= 1, 10_000, 'the first claim');
    await new Promise((r) => setTimeout(r, 2500));
    // given back through subscribe's one-second pause: a tight loop claimed hundreds of times
    expect(claims).toBeGreaterThanOrEqual(2);
    expect(claims).toBeLessThanOrEqual(4);
    expect(calls).toBe(0);
    await store.release(service, String(event.eventId));
    await waitFor(() => calls === 1, 10_000, 'the handler, once the claim is gone');
    expect(await depth(f.broker, service)).toBe(0);
    expect(await depth(f.broker, f.dlq)).toBe(0);
  });

  it('a handler that runs past its timeout, ignoring its signal, does not run beside its retry within its claim lease (found by a probe)', async () => {
    const delays = [100, 200, 300];
    const service = f.service('retry.overrun', delays);
    let running = 0;
    let most = 0;
    let starts = 0;
    subs.push(
      await subscribe(
        service,
        {
          'course.created': async () => {
            starts++;
            most = Math.max(most, ++running);
            // past the 300 ms deadline, the signal ignored, within the claim's lease (2 x the timeout)
            await new Promise((r) => setTimeout(r, 500));
            running--;
          },
        },
        { ...base(), retryDelaysMs: delays, timeoutMs: 300 },
      ),
    );
    await f.publisher.publish(makeEvent('course.created'));
    await waitFor(async () => (await depth(f.broker, f.dlq)) >= 1, 20_000, 'the dead letter');
    expect(starts).toBe(4); // the first delivery and 3 retries, each a timeout
    expect(most).toBe(1); // released at the deadline, the retry ran beside the attempt before it
    expect(await drainQueue(f.broker, f.dlq)).toHaveLength(1);
  });

  it("a handler that ends past its claim's lease leaves the claim alone (a retry may hold it by then)", async () => {
    const delays = [100];
    const service = f.service('retry.pastlease', delays);
    // the store as the library uses it, with each claim and release noted
    const store = new MemoryIdempotencyStore();
    const claims: number[] = [];
    const releases: number[] = [];
    const noted = {
      claim: async (svc: string, id: string, leaseMs: number) => {
        const r = await store.claim(svc, id, leaseMs);
        if (r === 'claimed') claims.push(Date.now());
        return r;
      },
      complete: (svc: string, id: string) => store.complete(svc, id),
      release: async (svc: string, id: string) => {
        releases.push(Date.now());
        await store.release(svc, id);
      },
    };
    let ended = 0;
    subs.push(
      await subscribe(
        service,
        {
          'course.created': async () => {
            await new Promise((r) => setTimeout(r, 700)); // past the 200 ms deadline and the 400 ms lease
            ended++;
          },
        },
        { ...base(), retryDelaysMs: delays, timeoutMs: 200, idempotency: noted },
      ),
    );
    await f.publisher.publish(makeEvent('course.created'));
    await waitFor(async () => (await depth(f.broker, f.dlq)) >= 1, 15_000, 'the dead letter');
    await waitFor(() => ended === claims.length, 5_000, 'every attempt ended');
    expect(claims).toHaveLength(2); // the first delivery, and its retry once the lease ended
    // each attempt ended past its lease, when the claim could be another's: none was released
    expect(releases).toEqual([]);
    expect(await drainQueue(f.broker, f.dlq)).toHaveLength(1);
  });

  it('a handler that throws what cannot be shown as text (Object.create(null)) is retried and dead-lettered, not looped (found by a probe)', async () => {
    let calls = 0;
    await failingService('retry.textless', 'certificate.issued', Object.create(null), () => calls++);
    const event = makeEvent('certificate.issued');
    await f.publisher.publish(event);
    // (an earlier test's late dead letter may reach the shared DLQ meanwhile: this one is found by its id)
    const ours: GetMessage[] = [];
    await waitFor(
      async () => {
        ours.push(...(await drainQueue(f.broker, f.dlq)).filter((m) => m.properties.messageId === event.eventId));
        return ours.length >= 1;
      },
      15_000,
      'the dead letter',
    );
    expect(calls).toBe(4);
    expect(ours).toHaveLength(1);
    expect(String(ours[0].properties.headers?.['x-last-error'])).toMatch(/cannot be shown as text/);
  });
});

describe('a subscription without the topology', () => {
  /** A failing order.created consumer on an exchange of its own, given `dlq`; publishes one event and waits for it there. */
  async function deadLetterThrough(label: string, dlq: string, before?: () => Promise<unknown>) {
    const exchange = uniqueName(`plat.${label}.x`);
    f.broker.track('exchange', exchange);
    f.broker.track('exchange', `${exchange}.dlx`);
    f.broker.track('queue', dlq);
    await before?.();
    const failing = {
      'order.created': async () => {
        throw new Error('down');
      },
    };
    const options = { connection: f.broker.connection, exchange, dlq, retryDelaysMs: [], logger: silent, metrics: f.registry };
    subs.push(await subscribe(f.service(label, []), failing, options));
    const publisher = new EventPublisher({ connection: f.broker.connection, exchange, logger: silent, metrics: f.registry });
    await publisher.publish(makeEvent('order.created'));
    await publisher.close();
    await waitFor(async () => (await depth(f.broker, dlq)) >= 1, 10_000, `the dead letter in ${dlq}`);
    return drainQueue(f.broker, dlq);
  }

  it('declares and binds the DLQ it is given, so its dead letters are kept (without one, RabbitMQ dropped them: found by a probe)', async () => {
    const [dead] = await deadLetterThrough('bare', uniqueName('plat.bare.dlq'));
    expect(dead.properties.headers?.['x-last-error']).toBe('down');
  });

  it('binds a DLQ that exists with other arguments as it is, instead of failing on them', async () => {
    const dlq = uniqueName('plat.other.dlq');
    // not the library's TTL: asserted with its own arguments, the subscription failed
    const dead = await deadLetterThrough('other', dlq, () => f.broker.channel.assertQueue(dlq, { durable: true, arguments: { 'x-message-ttl': 60_000 } }));
    expect(dead).toHaveLength(1);
  });
});

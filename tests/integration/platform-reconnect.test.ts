// With a ReconnectingConnection, a publisher and a consumer carry on after the connection drops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelModel } from 'amqplib';
import { ReconnectingConnection } from '@/lib/bus/connection';
import { EventPublisher } from '@/lib/platform/publisher';
import { subscribe, type Subscription } from '@/lib/platform/subscribe';
import { TEST_AMQP_URL } from '../helpers/amqp';
import { makeEvent, platformFixture, silent, waitFor, type PlatformFixture } from './platform-fixture';

let f: PlatformFixture;
let rc: ReconnectingConnection;
let sub: Subscription | undefined;
let publisher: EventPublisher | undefined;

beforeAll(async () => {
  f = await platformFixture();
  rc = new ReconnectingConnection({ url: TEST_AMQP_URL, name: 'platform-reconnect-test', logger: silent, minDelayMs: 50, maxDelayMs: 200 }).start();
  await rc.waitConnected();
});
afterAll(async () => {
  await sub?.close();
  await publisher?.close();
  await rc?.close();
  await f?.cleanup();
});

describe('reconnecting', () => {
  it('publishes and consumes again after the connection is lost', async () => {
    const service = f.service('reconnect');
    const seen: string[] = [];
    sub = await subscribe(service, { 'review.created': async (e) => void seen.push(e.eventId) }, { connection: rc, exchange: f.exchange, logger: silent });
    publisher = new EventPublisher({ connection: rc, exchange: f.exchange, logger: silent });
    const first = makeEvent('review.created');
    await publisher.publish(first);
    await waitFor(() => seen.includes(String(first.eventId)), 10_000, 'first event');

    // Drop the socket under the connection, as a network failure or broker restart would.
    const before = rc.connection as ChannelModel & { connection: { stream: { destroy(error?: Error): void } } };
    before.connection.stream.destroy(new Error('simulated network failure'));
    await waitFor(() => rc.connected && rc.connection !== before, 10_000, 'reconnection');

    const second = makeEvent('review.created');
    await publisher.publish(second);
    await waitFor(() => seen.includes(String(second.eventId)), 10_000, 'second event');
    expect(seen).toEqual([first.eventId, second.eventId]);
  });
});

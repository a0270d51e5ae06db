// With a reconnecting connection, a publisher and a consumer carry on after the connection drops:
// the library's own (lib/platform/connection.ts), and the console's (lib/bus/connection.ts), which
// the library takes by its shape without importing it.
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { ChannelModel } from 'amqplib';
import { ReconnectingConnection as ConsoleConnection } from '@/lib/bus/connection';
import { ReconnectingConnection } from '@/lib/platform/connection';
import { EventPublisher } from '@/lib/platform/publisher';
import { subscribe, type Subscription } from '@/lib/platform/subscribe';
import { TEST_AMQP_URL } from '../helpers/amqp';
import { makeEvent, platformFixture, silent, waitFor, type PlatformFixture } from './platform-fixture';

interface Reconnector {
  connection: ChannelModel | null;
  readonly connected: boolean;
  start(): unknown;
  waitConnected(timeoutMs?: number): Promise<ChannelModel>;
  onConnect(setup: (c: ChannelModel) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

let f: PlatformFixture;
let rc: Reconnector | undefined;
let sub: Subscription | undefined;
let publisher: EventPublisher | undefined;

beforeAll(async () => {
  f = await platformFixture();
});
afterEach(async () => {
  await sub?.close();
  await publisher?.close();
  await rc?.close();
  sub = publisher = rc = undefined;
});
afterAll(async () => {
  await f?.cleanup();
});

const options = (name: string) => ({ url: TEST_AMQP_URL, name, logger: silent, minDelayMs: 50, maxDelayMs: 200 });
const kinds: [string, () => Reconnector][] = [
  ['lib/platform ReconnectingConnection', () => new ReconnectingConnection(options('platform-reconnect-test'))],
  ["the console's lib/bus ReconnectingConnection", () => new ConsoleConnection(options('platform-reconnect-test-console'))],
];

describe.each(kinds)('reconnecting with %s', (_label, make) => {
  it('publishes and consumes again after the connection is lost', async () => {
    rc = make();
    rc.start();
    await rc.waitConnected();
    const service = f.service(`reconnect-${_label.startsWith('lib') ? 'p' : 'c'}`);
    const seen: string[] = [];
    sub = await subscribe(service, { 'review.created': async (e) => void seen.push(e.eventId) }, { connection: rc, exchange: f.exchange, logger: silent });
    publisher = new EventPublisher({ connection: rc, exchange: f.exchange, logger: silent });
    const first = makeEvent('review.created');
    await publisher.publish(first);
    await waitFor(() => seen.includes(String(first.eventId)), 10_000, 'first event');

    // Drop the socket under the connection, as a network failure or broker restart would.
    const before = rc.connection as ChannelModel & { connection: { stream: { destroy(error?: Error): void } } };
    before.connection.stream.destroy(new Error('simulated network failure'));
    const r = rc;
    await waitFor(() => r.connected && r.connection !== before, 10_000, 'reconnection');

    const second = makeEvent('review.created');
    await publisher.publish(second);
    await waitFor(() => seen.includes(String(second.eventId)), 10_000, 'second event');
    expect(seen).toEqual([first.eventId, second.eventId]);
  });
});

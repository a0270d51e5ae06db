// `npm run demo -- --teardown` (lib/demo/teardown.ts) against the real broker: the platform's
// topology declared under unique names, then removed; a DLQ still holding dead letters is kept.
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareDemoMarker, demoMarkerQueue, DemoTeardownRefused, teardownDemo } from '@/lib/demo/teardown';
import { PLATFORM_CONSUMERS } from '@/lib/platform/consumers';
import { declarePlatformTopology, deadLetterExchangeName } from '@/lib/platform/topology';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { ignoreCleanupError } from '../helpers/cleanup';

const DELAYS = [1_000, 4_000];

describe('demo teardown', () => {
  let broker: TestBroker;
  const prefix = `${uniqueName('demo-teardown')}.`;
  const exchange = `${prefix}events`;
  const dlq = `${prefix}dlq`;
  let declared: string[] = [];

  beforeAll(async () => {
    broker = await createTestBroker();
    const services = PLATFORM_CONSUMERS.map((s) => ({ name: prefix + s.name, eventTypes: s.eventTypes }));
    declared = (await declarePlatformTopology(broker.channel, { exchange, dlq, services, retryDelaysMs: DELAYS })).queues;
    await declareDemoMarker(broker.channel, exchange); // as run-demo.ts does
    // whatever a failing run leaves is removed at the end
    for (const q of [...declared, demoMarkerQueue(exchange)]) broker.track('queue', q);
    broker.track('exchange', exchange);
    broker.track('exchange', deadLetterExchangeName(exchange));
  });

  afterAll(async () => {
    await broker?.cleanup();
  });

  /** Whether a queue or exchange exists (a passive check on a channel of its own). */
  async function exists(kind: 'queue' | 'exchange', name: string): Promise<boolean> {
    const ch = await broker.connection.createChannel();
    ch.on('error', ignoreCleanupError); // the refused passive check closes this channel
    const ok = await (kind === 'queue' ? ch.checkQueue(name) : ch.checkExchange(name)).then(
      () => true,
      () => false,
    );
    await ch.close().catch(ignoreCleanupError);
    return ok;
  }

  it('removes the queues and exchanges, keeps a DLQ with dead letters, then removes it once empty', async () => {
    broker.channel.sendToQueue(dlq, Buffer.from('{"eventId":"x"}'));
    await new Promise((r) => setTimeout(r, 200));
    const options = { amqpUrl: broker.url, exchange, dlq, servicePrefix: prefix, retryDelaysMs: DELAYS };
    const first = await teardownDemo(options);
    expect(first.keptDlq).toEqual({ name: dlq, messages: 1, consumers: 0 });
    const serviceQueues = declared.filter((q) => q !== dlq);
    expect(serviceQueues.length).toBe(PLATFORM_CONSUMERS.length * (1 + DELAYS.length));
    for (const q of serviceQueues) expect(await exists('queue', q), q).toBe(false);
    expect(await exists('exchange', exchange)).toBe(false);
    expect(await exists('exchange', deadLetterExchangeName(exchange))).toBe(false);
    expect(await exists('queue', dlq)).toBe(true);

    // a consumer (EventDesk's drain) on the DLQ keeps it too
    await broker.channel.purgeQueue(dlq);
    const readerConnection = await amqp.connect(broker.url);
    const reader = await readerConnection.createChannel();
    await reader.consume(dlq, () => {});
    expect((await teardownDemo(options)).keptDlq).toMatchObject({ messages: 0, consumers: 1 });
    await readerConnection.close();

    const second = await teardownDemo(options);
    expect(second.keptDlq).toBeNull();
    expect(second.deletedQueues).toContain(dlq);
    expect(await exists('queue', dlq)).toBe(false);
    expect(await exists('queue', demoMarkerQueue(exchange))).toBe(false);
  });

  it('deletes nothing of a topology the demo did not mark (a real platform has the same queue names), unless forced', async () => {
    const other = `${uniqueName('demo-teardown-real')}.`;
    const otherExchange = `${other}events`;
    const otherDlq = `${other}dlq`;
    const services = PLATFORM_CONSUMERS.map((s) => ({ name: other + s.name, eventTypes: s.eventTypes }));
    const queues = (await declarePlatformTopology(broker.channel, { exchange: otherExchange, dlq: otherDlq, services, retryDelaysMs: DELAYS })).queues;
    for (const q of queues) broker.track('queue', q);
    broker.track('exchange', otherExchange);
    broker.track('exchange', deadLetterExchangeName(otherExchange));
    // a service's queue holding messages it has not consumed yet
    broker.channel.sendToQueue(`${other}${PLATFORM_CONSUMERS[0].name}`, Buffer.from('{"eventId":"not-yet-consumed"}'));
    const options = { amqpUrl: broker.url, exchange: otherExchange, dlq: otherDlq, servicePrefix: other, retryDelaysMs: DELAYS };
    await expect(teardownDemo(options)).rejects.toThrow(DemoTeardownRefused);
    await expect(teardownDemo(options)).rejects.toThrow(`no queue ${demoMarkerQueue(otherExchange)}): nothing deleted`);
    for (const q of queues) expect(await exists('queue', q), q).toBe(true);
    expect(await exists('exchange', otherExchange)).toBe(true);

    const forced = await teardownDemo({ ...options, force: true });
    expect(forced.deletedQueues).toEqual(expect.arrayContaining(queues.filter((q) => q !== otherDlq)));
    expect(await exists('exchange', otherExchange)).toBe(false);
  });
});

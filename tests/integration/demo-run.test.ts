// The demo with a count ends by itself and leaves dead letters of at least 3 reasons from at
// least 4 queues in the DLQ. Unique exchange, DLQ and service names; short delays.
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { DEMO_DEFAULTS } from '@/lib/demo/demo-options';
import { runDemo, type DemoResult } from '@/lib/demo/run-demo';
import { demoMarkerQueue } from '@/lib/demo/teardown';
import { PLATFORM_CONSUMERS } from '@/lib/platform/consumers';
import { deadLetterExchangeName, retryQueueNames } from '@/lib/platform/topology';
import { createTestBroker, TEST_AMQP_URL, uniqueName, type TestBroker } from '../helpers/amqp';
import { deaths, drainQueue } from './platform-fixture';

let broker: TestBroker | undefined;

afterAll(async () => {
  await broker?.cleanup();
});

describe('demo', () => {
  it('ends by itself with --count and fills the DLQ from several queues and reasons', async () => {
    broker = await createTestBroker();
    const exchange = uniqueName('demo.x');
    const dlq = uniqueName('demo.dlq');
    const prefix = `${uniqueName('demo')}.`;
    // Track everything the demo declares before it runs, so a failure still cleans up.
    broker.track('exchange', exchange);
    broker.track('exchange', deadLetterExchangeName(exchange));
    broker.track('queue', dlq);
    broker.track('queue', demoMarkerQueue(exchange)); // run-demo marks what it declared
    const retryDelaysMs = [100, 200, 400];
    for (const s of PLATFORM_CONSUMERS) {
      broker.track('queue', prefix + s.name);
      for (const q of retryQueueNames(prefix + s.name, retryDelaysMs)) broker.track('queue', q);
    }

    const lines: string[] = [];
    const result: DemoResult = await runDemo({
      ...DEMO_DEFAULTS,
      amqpUrl: TEST_AMQP_URL,
      exchange,
      dlq,
      servicePrefix: prefix,
      rate: 200,
      count: 500,
      failRatio: 0.05,
      retryDelaysMs,
      timeoutMs: 300,
      maxLength: 2,
      expirationMs: 150,
      print: (line) => lines.push(line),
      logger: pino({ level: 'silent' }),
    });
    expect(result.topology.queues).toHaveLength(1 + PLATFORM_CONSUMERS.length * 4);

    const s = result.stats;
    expect(s.published).toBeGreaterThan(480);
    expect(s.injected).toBe(2); // the contract violation and the poison message
    expect(s.consumed).toBeGreaterThan(s.published);
    expect(s.retried).toBeGreaterThanOrEqual(3 + 3 + 2); // forced downstream, timeout, flaky
    expect(lines.at(-1)).toMatch(/published=\d+ +(malformed=\d+ +)?consumed=\d+ +retried=\d+ +dead-lettered=\d+/);

    const dead = await drainQueue(broker, dlq);
    const causes = dead.map((m) => deaths(m)[0]);
    const reasons = new Set(causes.map((d) => d.reason));
    const queues = new Set(causes.map((d) => d.queue));
    expect([...reasons].sort()).toEqual(expect.arrayContaining(['expired', 'maxlen', 'rejected']));
    expect(queues.size).toBeGreaterThanOrEqual(4);
    // a consumer rejection carries its error; the contract violation and the poison are there
    const errors = dead.map((m) => String(m.properties.headers?.['x-last-error'] ?? ''));
    expect(errors.some((e) => e.startsWith('contract violation (invalid)'))).toBe(true);
    expect(errors.some((e) => e.startsWith('contract violation (unparseable)'))).toBe(true);
    expect(errors.some((e) => e.includes('timed out after 300 ms'))).toBe(true);
    expect(errors.some((e) => e.includes('payment gateway unavailable'))).toBe(true);
    expect(causes.some((d) => d.reason === 'expired' && d.queue === `${prefix}search-service`)).toBe(true);
  });
});

// The /queues table's order (components/queues/queue-status.ts): the DLQs first, then by state, then
// by name with numbers read as numbers.
import { describe, expect, it } from 'vitest';
import { compareQueues } from '@/components/queues/queue-status';
import type { QueueItem } from '@/lib/schemas/queues';

const q = (name: string, over: Partial<QueueItem> = {}): QueueItem => ({
  name,
  messages: 0,
  consumers: 1,
  exists: true,
  noConsumers: false,
  kind: 'consumer',
  bindings: [],
  retryOf: null,
  ...over,
});
const retry = (of: string, delay: string) => q(`${of}.retry.${delay}`, { consumers: 0, retryOf: of });

describe('compareQueues', () => {
  it("lists a consumer's retry queues in the order messages go through them (1s, 4s, 16s), not by text", () => {
    const items = [retry('payment-service', '16s'), retry('payment-service', '1s'), retry('payment-service', '4s'), retry('analytics-service', '16s')];
    expect(items.sort(compareQueues).map((i) => i.name)).toEqual([
      'analytics-service.retry.16s',
      'payment-service.retry.1s',
      'payment-service.retry.4s',
      'payment-service.retry.16s',
    ]);
  });

  it('puts the DLQs first (in the order given: the configured one), then backlogs without a consumer, consuming, idle, retry and undeclared queues', () => {
    const items = [
      q('gone', { exists: false }),
      retry('billing', '1s'),
      q('idle-one', { consumers: 0 }),
      q('busy'),
      q('stuck', { consumers: 0, messages: 5, noConsumers: true }),
      q('edu.events.dlq.b', { kind: 'dlq' }),
      q('edu.events.dlq', { kind: 'dlq' }),
    ];
    expect(items.sort(compareQueues).map((i) => i.name)).toEqual([
      'edu.events.dlq.b',
      'edu.events.dlq',
      'stuck',
      'busy',
      'idle-one',
      'billing.retry.1s',
      'gone',
    ]);
  });
});

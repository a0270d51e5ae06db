// A dead letter from a quorum queue's x-delivery-limit, with the headers RabbitMQ 3.10 sends
// (captured from the broker): reason delivery_limit in x-death, and a quorum DLQ's own
// x-delivery-count, which changes on each redelivery from the DLQ and must not make a new fingerprint.
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';

function fromQuorumDlq(deliveryCount: number | undefined, redelivered: boolean): ConsumeMessage {
  const headers: Record<string, unknown> = {
    'x-death': [
      {
        count: 1,
        reason: 'delivery_limit',
        queue: 'grading-service',
        time: { '!': 'timestamp', value: 1796504740 },
        exchange: '',
        'routing-keys': ['grading-service'],
      },
    ],
    'x-first-death-exchange': '',
    'x-first-death-queue': 'grading-service',
    'x-first-death-reason': 'delivery_limit',
  };
  if (deliveryCount !== undefined) headers['x-delivery-count'] = deliveryCount;
  return {
    content: Buffer.from('{"eventId":"e-1"}'),
    fields: { deliveryTag: 1, redelivered, exchange: 'edu.events.dlx', routingKey: 'grading-service', consumerTag: 'c' },
    properties: { headers, messageId: 'm-1', contentType: 'application/json' },
  } as unknown as ConsumeMessage;
}

describe('a delivery_limit dead letter', () => {
  it('is stored with its reason, queue and death time', () => {
    const d = prepareDeadLetter(fromQuorumDlq(0, false));
    expect(d.unreadable).toBeNull();
    expect(d.reason).toBe('delivery_limit');
    expect(d.queue).toBe('grading-service');
    expect(d.deathCount).toBe(1);
    expect(d.failedAt.toISOString()).toBe(new Date(1796504740 * 1000).toISOString());
    expect(JSON.parse(d.headers)['x-delivery-count']).toBe(0);
  });

  it('keeps one fingerprint whatever the DLQ delivery count', () => {
    const first = prepareDeadLetter(fromQuorumDlq(0, false));
    const again = prepareDeadLetter(fromQuorumDlq(3, true));
    const classic = prepareDeadLetter(fromQuorumDlq(undefined, false));
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(classic.fingerprint).toBe(first.fingerprint);
    // the stored headers keep what arrived
    expect(JSON.parse(again.headers)['x-delivery-count']).toBe(3);
  });
});

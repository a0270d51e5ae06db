// The shape of a republished message (README, Fix and republish), rebuilt from what the drain stores.
import { describe, expect, it } from 'vitest';
import { encodeTable } from '@/lib/bus/amqp-values';
import { editedBodyDiff } from '@/lib/diff/republish-diff';
import { buildRepublishMessage, isDeathHeader } from '@/lib/bus/republish-message';

const stored = {
  body: Buffer.from('{"eventId":"e1","n":1}'),
  properties: encodeTable({
    contentType: 'application/json',
    messageId: 'm1',
    correlationId: 'c1',
    appId: 'svc',
    timestamp: 1700000000,
    deliveryMode: 2,
    userId: 'someone',
    expiration: '5000',
  }),
  headers: encodeTable({
    'x-death': [{ count: 2, queue: 'q', reason: 'rejected' }],
    'x-first-death-queue': 'q',
    'x-delivery-count': 3,
    'x-last-death-reason': 'rejected',
    'X-Death': 'odd case',
    traceparent: '00-abc-def-01',
    BCC: ['old'],
    'x-eventdesk-republish-count': 1,
    'x-bytes': Buffer.from([1, 2]),
  }),
};

describe('buildRepublishMessage', () => {
  const msg = buildRepublishMessage(stored, { deadLetterId: 'd1', republishNumber: 2, intentId: 'i1' });

  it('keeps the body bytes and the properties a consumer relies on', () => {
    expect(msg.content.equals(stored.body)).toBe(true);
    expect(msg.options).toMatchObject({
      contentType: 'application/json',
      messageId: 'm1',
      correlationId: 'c1',
      appId: 'svc',
      timestamp: 1700000000,
      deliveryMode: 2,
      mandatory: true,
    });
    expect(msg.options).not.toHaveProperty('userId');
    expect(msg.options).not.toHaveProperty('expiration');
  });

  it('drops death bookkeeping and stale routing headers, keeps the rest, adds its own', () => {
    const h = msg.options.headers!;
    expect(Object.keys(h).sort()).toEqual(
      ['traceparent', 'x-bytes', 'x-eventdesk-dead-letter-id', 'x-eventdesk-intent-id', 'x-eventdesk-republish-count'].sort(),
    );
    expect(h['x-eventdesk-republish-count']).toBe(2);
    expect(h['x-eventdesk-dead-letter-id']).toBe('d1');
    expect(Buffer.isBuffer(h['x-bytes'])).toBe(true);
  });

  it('sends an edited body instead of the stored one', () => {
    const edited = buildRepublishMessage(stored, { deadLetterId: 'd1', republishNumber: 1, intentId: 'i2', editedBody: Buffer.from('{}') });
    expect(edited.content.toString()).toBe('{}');
  });

  it('recognises death headers only', () => {
    expect(['x-death', 'x-first-death-exchange', 'x-last-death-queue'].every(isDeathHeader)).toBe(true);
    expect(['x-deathly', 'traceparent', 'x-first-deaths'].some(isDeathHeader)).toBe(false);
  });
});

describe('editedBodyDiff', () => {
  it('compares JSON pretty-printed, so reformatting alone is no change', () => {
    const diff = editedBodyDiff('{"a":1,"b":"x"}', '{\n  "a": 1,\n  "b": "y"\n}');
    expect(diff).toContain('-  "b": "x"');
    expect(diff).toContain('+  "b": "y"');
    expect(diff).not.toContain('-  "a": 1');
  });

  it('compares other text as is', () => {
    expect(editedBodyDiff('hello', 'hullo')).toContain('+hullo');
  });
});

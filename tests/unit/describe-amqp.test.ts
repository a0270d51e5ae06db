import { describe, expect, it } from 'vitest';
import { describeDeath, describeHeader, describeProperty, describeXDeath, formatDuration, oldestFirst } from '@/components/dead-letters/detail/describe-amqp';
import { formatTime } from '@/components/ui/format';

describe('describeProperty', () => {
  it('says what deliveryMode means', () => {
    expect(describeProperty('deliveryMode', 2)).toMatchObject({ label: 'Delivery mode', text: 'persistent' });
    expect(describeProperty('deliveryMode', 1)).toMatchObject({ text: 'transient' });
    expect(describeProperty('deliveryMode', 7)).toMatchObject({ text: '7' });
  });

  it('shows a timestamp as a time and an expiration as a duration', () => {
    expect(describeProperty('timestamp', { $timestamp: 1764236400 })).toMatchObject({
      label: 'Sent at',
      text: formatTime('2025-11-27T09:40:00.000Z'),
      note: '1764236400 s since 1970',
    });
    expect(describeProperty('expiration', '90000')).toMatchObject({ label: 'Expires after', text: '1 min 30 s', note: '90000 ms in the queue' });
    expect(describeProperty('priority', 5)).toMatchObject({ label: 'Priority', text: '5' });
    expect(describeProperty('contentType', 'application/json')).toEqual({ label: 'Content type', text: 'application/json' });
  });

  it('leaves an unknown property to the plain table', () => {
    expect(describeProperty('somethingElse', 1)).toBeNull();
  });
});

describe('formatDuration', () => {
  it('reads milliseconds in the two largest units', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1000)).toBe('1 s');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(90_061_000)).toBe('1 d 1 h');
  });
});

describe('describeHeader', () => {
  it('tells EventDesk’s retries from the consumer’s own and from deaths', () => {
    expect(describeHeader('x-eventdesk-republish-count', 2)).toMatchObject({ label: 'Retries (EventDesk)', text: '2 retries' });
    expect(describeHeader('x-retry-count', { $long: '1' })).toMatchObject({ label: 'Consumer’s own retries', text: '1 retry' });
    expect(describeHeader('x-first-death-queue', 'billing')).toEqual({ label: 'First death: queue', text: 'billing' });
    expect(describeHeader('x-unknown', 'a')).toBeNull();
  });

  it('reads each x-death entry as a sentence', () => {
    const entry = { count: { $long: '3' }, reason: 'rejected', queue: 'billing', time: { $timestamp: 1764268800 }, exchange: '', 'routing-keys': ['billing'] };
    expect(describeXDeath(entry)).toBe(
      `rejected in billing, 3 times, first at ${formatTime('2025-11-27T18:40:00.000Z')}, from exchange (default), routing keys billing`,
    );
    expect(describeHeader('x-death', [entry, { ...entry, reason: 'expired', queue: 'billing.retry' }])?.text.split('\n')).toHaveLength(2);
  });
});

describe('the x-death timeline', () => {
  it('says where and why RabbitMQ dead-lettered it', () => {
    expect(describeDeath({ queue: 'billing', reason: 'rejected', count: 1 })).toBe('rejected in billing, 1 time');
    expect(describeDeath({ queue: null, reason: null, count: null })).toBe('died in an unknown queue');
  });

  it('orders oldest first, and entries of the same second by the broker’s order (newest first)', () => {
    const same = '2026-11-27T10:00:00.000Z';
    const broker = [
      { id: 'newest', time: same },
      { id: 'middle', time: same },
      { id: 'oldest', time: '2026-11-27T09:59:59.000Z' },
      { id: 'same-as-newest-but-older', time: same },
      { id: 'no-time', time: null },
    ];
    expect(oldestFirst(broker).map((d) => d.id)).toEqual(['no-time', 'oldest', 'same-as-newest-but-older', 'middle', 'newest']);
  });
});

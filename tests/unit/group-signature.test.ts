import { describe, expect, it } from 'vitest';
import { groupId, groupKey, normaliseError } from '@/lib/groups/signature';

describe('failure group signature', () => {
  it('replaces ids, uuids, numbers, timestamps, emails and urls', () => {
    expect(
      normaliseError(
        'Timeout for order order123 after 30000ms at 2026-11-27T10:00:00Z (user 6a1b1b0e-1234-4a5b-8c9d-0123456789ab, bob@example.com) https://x.test/a?b=1',
      ),
    ).toBe('Timeout for order <id> after <id> at <ts> (user <uuid>, <email>) <url>');
  });

  it('replaces generated ids that mix letters and digits, keeping short codes readable', () => {
    expect(normaliseError('POST https://p.test failed (order ord_2bffdc3a) for med_ab12cd, S3 error 40P01')).toBe(
      'POST <url> failed (order <id>) for <id>, S<n> error <n>P<n>',
    );
  });

  it('puts two messages that differ only in ids into one group', () => {
    const a = groupKey({ eventType: 'order.created', queue: 'payment-service', reason: 'rejected', errorMessage: "Card declined for order 'ord-991' user 17" });
    const b = groupKey({
      eventType: 'order.created',
      queue: 'payment-service',
      reason: 'rejected',
      errorMessage: "Card declined for order 'ord-12' user 4242",
    });
    expect(groupId(a)).toBe(groupId(b));
  });

  it('keeps different bugs, queues and reasons apart', () => {
    const base = { eventType: 'order.created', queue: 'payment-service', reason: 'rejected', errorMessage: 'Card declined' };
    const id = groupId(groupKey(base));
    expect(groupId(groupKey({ ...base, errorMessage: 'Gateway timeout' }))).not.toBe(id);
    expect(groupId(groupKey({ ...base, queue: 'analytics-service' }))).not.toBe(id);
    expect(groupId(groupKey({ ...base, reason: 'expired' }))).not.toBe(id);
  });

  it('only looks at the first line of a stack trace', () => {
    expect(normaliseError('Boom 1\n    at foo (a.js:1:2)')).toBe('Boom <n>');
  });

  it('uses the fallback when there is no error message', () => {
    expect(groupKey({ eventType: null, queue: '', reason: null, errorMessage: null, fallback: 'unparseable' })).toEqual({
      eventType: '(unknown)',
      queue: '(none)',
      reason: '(none)',
      signature: 'unparseable',
    });
  });
});

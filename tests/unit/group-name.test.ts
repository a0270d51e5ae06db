import { describe, expect, it } from 'vitest';
import { groupError, groupName } from '@/components/groups/group-name';

const g = { eventType: 'order.created', queue: 'payment-service', reason: 'rejected', signature: 'payment gateway unavailable' };

describe('groupName', () => {
  it('names a group type · queue · reason · error', () => {
    expect(groupName(g)).toBe('order.created · payment-service · rejected · payment gateway unavailable');
  });

  it('says "no error message" for a group keyed by its validation status, never the status', () => {
    expect(groupName({ ...g, signature: 'valid' })).toBe('order.created · payment-service · rejected · no error message');
    expect(groupError('invalid')).toBe('no error message, body breaks its contract');
    expect(groupError('unparseable')).toBe('no error message, body is not JSON');
    expect(groupError('unreadable')).toBe('no error message, message unreadable');
    expect(groupError('')).toBe('no error message');
  });

  it('shortens a long error with an ellipsis', () => {
    const long = 'x'.repeat(200);
    const e = groupError(long, 20);
    expect(e).toHaveLength(21);
    expect(e.endsWith(' …')).toBe(true);
  });

  it('reads the drain’s placeholders for a missing type, queue or reason', () => {
    expect(groupName({ eventType: '(unknown)', queue: '(none)', reason: '(none)', signature: 'unreadable' })).toBe(
      'unknown type · no queue · no reason · no error message, message unreadable',
    );
  });
});

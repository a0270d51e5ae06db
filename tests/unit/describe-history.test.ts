import { describe, expect, it } from 'vitest';
import { describeHistory, describeTarget } from '@/components/dead-letters/detail/describe-history';

const h = (action: string, details: unknown, actor = 'ana@example.com') => describeHistory({ action, actor, details });

describe('describeHistory', () => {
  it('says where and why RabbitMQ dead-lettered it, deaths and retries apart', () => {
    const first = h('dead-lettered', { queue: 'billing', reason: 'rejected', count: 1, failedAt: '2026-01-01T00:00:00Z', republishCount: 0 }, 'drain');
    expect(first.sentence).toBe('Dead-lettered by RabbitMQ from billing, reason rejected (death 1 in this queue)');
    expect(first.facts).toEqual([]);
    const again = h('failed-again', { queue: 'billing', reason: 'expired', count: 3, republishCount: 2 }, 'drain');
    expect(again.sentence).toBe('Dead-lettered again from billing, reason expired (death 3 in this queue, after 2 retries by EventDesk)');
  });

  it('says a republish’s retry number, target, edit, force, bulk job and recovery', () => {
    const single = h('republished', {
      intentId: 'i',
      republishCount: 2,
      edited: true,
      forced: true,
      target: { kind: 'origin', exchange: '', routingKey: 'billing' },
      settledBy: 'confirm',
      diff: '--- a',
    });
    expect(single.sentence).toBe('Republished by ana@example.com (retry 2) to its original queue billing, with an edited body, forced by an admin');
    expect(single.facts).toEqual([]);
    const bulk = h('republished', {
      republishCount: 1,
      edited: false,
      target: { kind: 'exchange', exchange: 'edu.events', routingKey: 'order.created' },
      bulkJobId: '0123456789abcdef',
      settledBy: 'recovery',
    });
    expect(bulk.sentence).toBe(
      'Republished by ana@example.com (retry 1) to exchange edu.events with routing key order.created, in bulk job 01234567, confirmed by recovery after a restart',
    );
    expect(bulk.bulkJobId).toBe('0123456789abcdef');
  });

  it('describes a target on the default exchange', () => {
    expect(describeTarget({ kind: 'exchange', exchange: '', routingKey: 'q1' })).toBe('to queue q1 (default exchange)');
    expect(describeTarget(null)).toBeNull();
  });

  it('describes discard, restore, retry of an unreadable message, parking and an unknown outcome', () => {
    expect(h('discarded', { from: 'pending' }).sentence).toBe('Discarded by ana@example.com (was pending)');
    expect(h('discarded', { bulkJobId: 'abcdef0123456789' }).sentence).toBe('Discarded by ana@example.com, in bulk job abcdef01');
    expect(h('restored', { from: 'discarded' }).sentence).toBe('Restored by ana@example.com (was discarded)');
    expect(h('retried', { from: 'unreadable', previousId: '11111111-2222' }).sentence).toBe(
      'Read again by ana@example.com after it was parked as unreadable (it was record 11111111)',
    );
    expect(h('parked', { parkedTo: 'eventdesk.parked', reason: 'headers too big' }, 'drain').sentence).toBe(
      'Parked as unreadable by the drain, its message copied to eventdesk.parked',
    );
    expect(h('parked', { setAsideBy: 'derivation', reason: 'cannot decode' }, 'drain').sentence).toBe(
      'Set aside as unreadable by the derivation: its message is kept here only',
    );
    // a row set aside by an earlier version named no real queue
    expect(h('parked', { parkedTo: '(none: kept in the database)', reason: 'x' }, 'drain').sentence).toBe(
      'Set aside as unreadable by the drain: its message is kept here only',
    );
    expect(h('republish-uncertain', null, 'system').sentence).toBe('Republish outcome unknown: EventDesk stopped before the broker confirmed it');
  });

  it('keeps what it does not know as labelled values', () => {
    const d = h('teleported', { toPlanet: 'Mars', count: 2 });
    expect(d.sentence).toBe('teleported by ana@example.com');
    expect(d.facts).toEqual([
      { label: 'to planet', value: 'Mars' },
      { label: 'count', value: '2' },
    ]);
    expect(h('discarded', { from: 'pending', extra: { a: 1 } }).facts).toEqual([{ label: 'extra', value: '{"a":1}' }]);
    expect(h('odd', 'text').facts).toEqual([{ label: 'value', value: 'text' }]);
  });
});

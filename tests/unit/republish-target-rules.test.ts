// The republish target rules (lib/schemas/republish-target.ts) and the request schema using them.
import { describe, expect, it } from 'vitest';
import { exchangeIssue, queueIssue, routingKeyIssue, targetIssues, utf8ByteLength } from '@/lib/schemas/republish-target';
import { republishRequestSchema } from '@/lib/schemas/republish';

const ctx = { dlqQueues: ['edu.events.dlq', 'platform-dead'], ownQueues: ['my.ledger'] };

function fields(body: unknown): { field: string; message: string }[] {
  const r = republishRequestSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
}

describe('republish target rules', () => {
  it('counts names in UTF-8 bytes, not UTF-16 units', () => {
    const key = 'é'.repeat(200); // 200 units, 400 bytes
    expect(key.length).toBeLessThanOrEqual(255);
    expect(utf8ByteLength(key)).toBe(Buffer.byteLength(key));
    expect(routingKeyIssue(key)?.message).toMatch(/400 bytes in UTF-8/);
    expect(routingKeyIssue('é'.repeat(127))).toBeNull(); // 254 bytes
    expect(routingKeyIssue('😀'.repeat(64))).not.toBeNull();
    expect(routingKeyIssue('a'.repeat(10_000))?.message).toMatch(/over 255 bytes/);
  });

  it('refuses the broker’s own exchanges and queues (amq.*)', () => {
    expect(exchangeIssue('amq.rabbitmq.trace')?.message).toMatch(/broker's own/);
    expect(exchangeIssue('amq.topic')).not.toBeNull();
    expect(queueIssue('amq.rabbitmq.reply-to', 'target.routingKey')?.message).toMatch(/nobody consumes/);
    expect(queueIssue('amq.gen-abc', 'target')).not.toBeNull();
  });

  it("refuses EventDesk's own queues and exchanges, and dead-letter exchanges and queues", () => {
    expect(queueIssue('eventdesk.republish.ledger.x', 'target')?.message).toMatch(/EventDesk's own/);
    expect(queueIssue('eventdesk.tap.edu.events', 'target')).not.toBeNull();
    expect(queueIssue('eventdesk.parked.edu.events.dlq', 'target')).not.toBeNull();
    expect(queueIssue('my.ledger', 'target', ctx)?.message).toMatch(/EventDesk's own/);
    expect(queueIssue('platform-dead', 'target', ctx)?.message).toMatch(/dead-letter queue/);
    expect(queueIssue('edu.events.dlq', 'target')?.message).toMatch(/dead-letter queue/);
    expect(exchangeIssue('eventdesk.anything')).not.toBeNull();
    expect(exchangeIssue('edu.events.dlx')?.message).toMatch(/dead-letter exchange/);
  });

  it('refuses an empty queue name but allows the default exchange and an empty routing key', () => {
    expect(queueIssue('', 'target.routingKey')?.message).toMatch(/required/);
    expect(exchangeIssue('')).toBeNull();
    expect(routingKeyIssue('')).toBeNull();
  });

  it('accepts ordinary targets', () => {
    expect(targetIssues({ kind: 'origin', exchange: '', routingKey: 'notification-service' }, ctx)).toEqual([]);
    expect(targetIssues({ kind: 'exchange', exchange: 'edu.events', routingKey: 'user.created' }, ctx)).toEqual([]);
    expect(targetIssues({ kind: 'exchange', exchange: '', routingKey: 'analytics-service.retry' }, ctx)).toEqual([]);
  });

  it('names the field of each refusal', () => {
    expect(targetIssues({ kind: 'origin', exchange: '', routingKey: 'edu.events.dlq' }, ctx).map((i) => i.field)).toEqual(['target']);
    expect(targetIssues({ kind: 'exchange', exchange: '', routingKey: 'amq.rabbitmq.reply-to' }).map((i) => i.field)).toEqual(['target.routingKey']);
    expect(targetIssues({ kind: 'exchange', exchange: 'amq.direct', routingKey: 'é'.repeat(200) }).map((i) => i.field)).toEqual([
      'target.exchange',
      'target.routingKey',
    ]);
  });
});

describe('republish request schema applies the target rules', () => {
  it('answers each refused target with its field', () => {
    expect(fields({ target: { kind: 'exchange', exchange: 'amq.rabbitmq.trace', routingKey: 'x' } })).toEqual([
      { field: 'target.exchange', message: expect.stringMatching(/broker's own/) },
    ]);
    expect(fields({ target: { kind: 'exchange', exchange: '', routingKey: 'amq.rabbitmq.reply-to' } })[0].field).toBe('target.routingKey');
    expect(fields({ target: { kind: 'exchange', exchange: '', routingKey: '' } })[0].field).toBe('target.routingKey');
    expect(fields({ target: { kind: 'exchange', routingKey: 'ü'.repeat(200) } })[0]).toMatchObject({
      field: 'target.routingKey',
      message: expect.stringMatching(/400 bytes/),
    });
    expect(fields({ target: { kind: 'exchange', exchange: 'x'.repeat(256), routingKey: 'k' } })[0].field).toBe('target.exchange');
  });

  it('accepts an ordinary exchange target and the origin', () => {
    expect(fields({ target: { kind: 'exchange', exchange: 'edu.events', routingKey: 'user.created' } })).toEqual([]);
    expect(fields({ target: { kind: 'origin' } })).toEqual([]);
  });
});

// lib/actions/retry-unreadable.ts against PostgreSQL: its one audit line, its domain errors, and
// nothing written when it refuses.
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryUnreadable } from '@/lib/actions/retry-unreadable';
import { recordUnreadable } from '@/lib/bus/park';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { actionErrorOf, auditLines } from './actions-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };
const log = pino({ level: 'silent' });

// One that stores fine (parked while a bug since fixed refused it), one PostgreSQL refuses for
// real: this test database has a CHECK its queue breaks (the drain now reads every value a client
// can forge into something storable, so a real refusal is made here).
const storable = { 'x-death': [{ queue: 'notification-service', reason: 'rejected', count: 1, time: { '!': 'timestamp', value: 1764268800 } }] };
const REFUSED_QUEUE = 'orders-service-refused-by-the-test-database';
const refused = { 'x-death': [{ queue: REFUSED_QUEUE, reason: 'rejected', count: 1, time: { '!': 'timestamp', value: 1764268800 } }] };

describe('the retry-unreadable action', () => {
  let db: TestDatabase;

  async function park(body: string, headers: Record<string, unknown>): Promise<string> {
    const msg = {
      content: Buffer.from(body),
      fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'edu.events.dlq', consumerTag: 'c' },
      properties: { headers, messageId: `m-${randomUUID()}`, contentType: 'application/json' },
    } as unknown as ConsumeMessage;
    const id = await recordUnreadable(db.pool, prepareDeadLetter(msg), 'parked by a test', 'eventdesk.parked.edu.events.dlq', new Date(), log);
    if (!id) throw new Error('not recorded');
    return id;
  }

  beforeAll(async () => {
    db = await createTestDatabase('actions_retry_unreadable');
    // (only a record derived from it, pending, is refused: the unreadable one keeps the queue)
    await db.pool.query(`ALTER TABLE dead_letters ADD CONSTRAINT test_refused CHECK (status <> 'pending' OR queue <> '${REFUSED_QUEUE}')`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('stores it as a pending dead letter and writes exactly one audit line, on the record it became', async () => {
    const id = await park(`{"eventId":"evt-${randomUUID()}","eventType":"user.created"}`, storable);
    const result = await retryUnreadable(operator, { id, reason: 'bug fixed' }, db.pool);
    expect(result).toMatchObject({ status: 'pending', previousId: id });
    expect(await auditLines(db.pool, `dead-letter:${id}`)).toEqual([]);
    expect(await auditLines(db.pool, `dead-letter:${result.id}`)).toEqual([
      {
        actor: operator.name,
        action: 'retry-unreadable',
        target: `dead-letter:${result.id}`,
        reason: 'bug fixed',
        details: { deadLetterId: result.id, previousId: id, from: 'unreadable', to: 'pending' },
      },
    ]);

    // no longer unreadable: a second retry is a conflict
    const again = await actionErrorOf(retryUnreadable(operator, { id: result.id }, db.pool));
    expect(again.kind).toBe('conflict');
    expect(again.details).toEqual({ reason: 'not-unreadable', status: 'pending' });
    expect(await auditLines(db.pool, `dead-letter:${result.id}`)).toHaveLength(1);
  });

  it("a resolved group it reopens is the operator's doing: history and audit name them, not the drain", async () => {
    const body = () => `{"eventId":"evt-${randomUUID()}","eventType":"user.created"}`;
    const first = await retryUnreadable(operator, { id: await park(body(), storable) }, db.pool);
    const { rows } = await db.pool.query<{ group_id: string }>(`SELECT group_id FROM dead_letters WHERE id = $1`, [first.id]);
    const groupId = rows[0].group_id;
    await db.pool.query(`UPDATE failure_groups SET status = 'resolved', resolved_at = now() WHERE id = $1`, [groupId]);

    // another of the same group, parked, retried: the group opens again, put down to the operator
    await retryUnreadable(operator, { id: await park(body(), storable) }, db.pool);
    const group = await db.pool.query(`SELECT status, reopened_count FROM failure_groups WHERE id = $1`, [groupId]);
    expect(group.rows).toEqual([{ status: 'open', reopened_count: 1 }]);
    const history = await db.pool.query(`SELECT actor, action FROM failure_group_history WHERE group_id = $1 ORDER BY id`, [groupId]);
    expect(history.rows).toEqual([{ actor: operator.name, action: 'reopened' }]);
    expect(await auditLines(db.pool, `group:${groupId}`)).toEqual([
      expect.objectContaining({ actor: operator.name, action: 'group-change', reason: 'a retried dead letter reopened the resolved group' }),
    ]);
  });

  it('one the database still refuses: unprocessable with the reason, nothing written', async () => {
    const id = await park('{"b":2}', refused);
    const err = await actionErrorOf(retryUnreadable(operator, { id, reason: 'try again' }, db.pool));
    expect(err.kind).toBe('unprocessable');
    expect(err.details).toMatchObject({ reason: 'unstorable' });
    expect(await auditLines(db.pool, `dead-letter:${id}`)).toEqual([]);
  });

  it('one whose stored headers no decoder reads (set aside by the derivation): unprocessable, still unreadable, nothing written', async () => {
    const id = await park('{"c":3}', storable);
    await db.pool.query(
      `UPDATE dead_letter_messages m SET headers = '{"x-death":[{"$table":5}]}'::json FROM dead_letters d WHERE d.id = $1 AND m.id = d.latest_message_id`,
      [id],
    );
    const err = await actionErrorOf(retryUnreadable(operator, { id, reason: 'try again' }, db.pool));
    expect(err.kind).toBe('unprocessable');
    expect(err.details).toMatchObject({ reason: 'unreadable' });
    expect(err.message).toContain('cannot decode the stored properties or headers');
    expect(await auditLines(db.pool, `dead-letter:${id}`)).toEqual([]);
    const { rows } = await db.pool.query<{ status: string }>(`SELECT status FROM dead_letters WHERE id = $1`, [id]);
    expect(rows[0]?.status).toBe('unreadable');
  });

  it('an unknown dead letter: not_found', async () => {
    const err = await actionErrorOf(retryUnreadable(operator, { id: randomUUID() }, db.pool));
    expect(err.kind).toBe('not_found');
  });
});

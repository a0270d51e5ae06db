// lib/actions/republish-dead-letter.ts, the action as routes call it (the process's runtime,
// from the environment), against PostgreSQL and RabbitMQ: one audit line per republish (or
// edit-and-republish), and its domain errors with nothing sent or written.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardDeadLetter } from '@/lib/actions/discard-dead-letter';
import { republishDeadLetter } from '@/lib/actions/republish-dead-letter';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { actionErrorOf, auditLines } from './actions-fixtures';
import { seedDeadLetters, userCreated } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('the republish action', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let origin: string;

  beforeAll(async () => {
    db = await createTestDatabase('actions_republish');
    broker = await createTestBroker();
    origin = await broker.queue(uniqueName('actions.origin'));
    const ledger = uniqueName('actions.ledger');
    broker.track('queue', ledger);
    Object.assign(process.env, { DATABASE_URL: db.url, AMQP_URL: broker.url, REPUBLISH_LEDGER_QUEUE: ledger, LOG_LEVEL: 'silent' });
    (globalThis as { __eventdeskEnv?: unknown }).__eventdeskEnv = undefined;
  });

  afterAll(async () => {
    const { getRepublishRuntime } = await import('@/lib/actions/runtime');
    await getRepublishRuntime().close();
    await broker?.cleanup();
    await db?.drop();
  });

  it('republishes and writes exactly one audit line: actor, action, target, reason and what was sent where', async () => {
    const { ids, eventIds } = await seedDeadLetters(db.pool, { queue: origin });
    const result = await republishDeadLetter(operator, { id: ids[0], reason: 'consumer fixed' });
    expect(result).toMatchObject({ status: 'republished', republishCount: 1 });
    const lines = await auditLines(db.pool, `dead-letter:${ids[0]}`);
    expect(lines).toEqual([
      {
        actor: operator.name,
        action: 'republish',
        target: `dead-letter:${ids[0]}`,
        reason: 'consumer fixed',
        details: {
          deadLetterId: ids[0],
          eventId: eventIds[0],
          intentId: expect.any(String),
          republishCount: 1,
          target: { kind: 'origin', exchange: '', routingKey: origin },
          settledBy: 'confirm',
        },
      },
    ]);
    await broker.channel.purgeQueue(origin);
  });

  it('an edited body: one edit-republish line carrying the diff', async () => {
    const { ids, eventIds } = await seedDeadLetters(db.pool, { queue: origin });
    const body = JSON.stringify(userCreated(eventIds[0], 'fixed@example.com'));
    await republishDeadLetter(operator, { id: ids[0], reason: 'fix email', body });
    const lines = await auditLines(db.pool, `dead-letter:${ids[0]}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ action: 'edit-republish', actor: operator.name, reason: 'fix email' });
    expect(lines[0].details?.diff).toEqual(expect.stringContaining('fixed@example.com'));
    await broker.channel.purgeQueue(origin);
  });

  it('sent, but the settle fails (audit_log locked past lock_timeout): says it was sent and not to retry, never "nothing was changed"', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: origin });
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
      const err = await actionErrorOf(republishDeadLetter(operator, { id: ids[0], reason: 'consumer fixed' }));
      expect(err.kind).toBe('unavailable');
      expect(err.details).toMatchObject({ reason: 'sent-not-recorded', intentId: expect.any(String) });
      expect(err.message).toMatch(/^Sent: the broker confirmed the message, but recording it failed .*do not retry it, it would be sent twice$/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    // it was sent: the copy is on the queue, and the intent waits for recovery
    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(1);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM republish_intents WHERE dead_letter_id = $1 AND state = 'pending'`, [ids[0]]);
    expect(rows[0].n).toBe(1);
    await broker.channel.purgeQueue(origin);
  });

  it('not pending: conflict; force by an operator: forbidden; unknown: not_found; nothing sent or written', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: origin, count: 2 });
    await discardDeadLetter(operator, { id: ids[0], reason: 'test traffic' });
    const notPending = await actionErrorOf(republishDeadLetter(operator, { id: ids[0], reason: 'x' }));
    expect(notPending.kind).toBe('conflict');
    expect(notPending.details).toEqual({ reason: 'not-pending', status: 'discarded' });
    expect((await auditLines(db.pool, `dead-letter:${ids[0]}`)).map((l) => l.action)).toEqual(['discard']);

    const forced = await actionErrorOf(republishDeadLetter(operator, { id: ids[1], reason: 'x', force: true }));
    expect(forced.kind).toBe('forbidden');
    expect(await auditLines(db.pool, `dead-letter:${ids[1]}`)).toEqual([]);

    expect((await actionErrorOf(republishDeadLetter(operator, { id: randomUUID(), reason: 'x' }))).kind).toBe('not_found');
    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(0);
  });
});

// Edit & retry: a body that breaks its contract is refused with the violations and nothing is
// sent; a valid edit arrives as edited; the diff is in the audit log.
import type { GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionError } from '@/lib/action-error';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { recordState, seedDeadLetters, testRuntime, userCreated } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };
const admin = { name: 'adam@example.com', role: 'admin' as const };

describe('edited republish', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let origin: string;

  beforeAll(async () => {
    db = await createTestDatabase('republish_edit');
    broker = await createTestBroker();
    origin = await broker.queue(uniqueName('republish.edit'));
    const ledger = uniqueName('republish.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
  });

  afterAll(async () => {
    await rt?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  it('refuses a body that breaks the contract, with violations at their paths, and sends nothing', async () => {
    const { ids, eventIds } = await seedDeadLetters(db.pool, { queue: origin });
    const broken = JSON.stringify(userCreated(eventIds[0], 'not-an-email'), null, 2);
    const err = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'fix email', body: broken }).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.kind).toBe('contract_violation');
    expect(err.details.violations).toEqual(expect.arrayContaining([expect.objectContaining({ path: '$.data.email' })]));
    const changedId = JSON.stringify(userCreated('6f1c1f0e-7a55-4c1e-9a0b-0d8a1e9f2b11'));
    const err2 = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'x', body: changedId }).catch((e) => e);
    expect(err2.kind).toBe('contract_violation');
    expect(err2.details.violations).toEqual([expect.objectContaining({ path: '$.eventId' })]);
    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(0);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "republish_intents"`);
    expect(rows[0].n).toBe(0);
  });

  it('sends a valid edit as edited and records the diff in the audit', async () => {
    const { ids, eventIds } = await seedDeadLetters(db.pool, { queue: origin });
    const fixed = JSON.stringify(userCreated(eventIds[0], 'grace@example.com'), null, 2);
    const r = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'typo in email', body: fixed });
    expect(r.status).toBe('republished');
    const msg = (await broker.channel.get(origin, { noAck: true })) as GetMessage;
    expect(msg.content.toString('utf8')).toBe(fixed);
    expect(msg.properties.headers!['x-eventdesk-republish-count']).toBe(1);
    const { rows } = await db.pool.query(`SELECT "action", "reason", "details" FROM "audit_log" WHERE "target" = $1`, [`dead-letter:${ids[0]}`]);
    expect(rows).toHaveLength(1);
    expect(rows[0].action).toBe('edit-republish');
    expect(rows[0].reason).toBe('typo in email');
    expect(rows[0].details.diff).toContain('-');
    expect(rows[0].details.diff).toMatch(/^\+.*grace@example\.com/m);
    expect(rows[0].details.diff).toMatch(/^-.*ada@example\.com/m);
  });

  it('lets an admin force a body that breaks the contract', async () => {
    const { ids, eventIds } = await seedDeadLetters(db.pool, { queue: origin });
    const broken = JSON.stringify(userCreated(eventIds[0], 'still-broken'));
    const denied = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'x', body: broken, force: true }).catch((e) => e);
    expect(denied.kind).toBe('forbidden');
    const r = await republishOne(rt, { deadLetterId: ids[0], actor: admin, reason: 'consumer accepts it now', body: broken, force: true });
    expect(r.status).toBe('republished');
    const msg = (await broker.channel.get(origin, { noAck: true })) as GetMessage;
    expect(msg.content.toString()).toBe(broken);
  });

  it('never lets a forced edit change the eventId or drop it, and sends nothing then', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: origin });
    const otherId = JSON.stringify(userCreated('6f1c1f0e-7a55-4c1e-9a0b-0d8a1e9f2b11'));
    const { eventId: _dropped, ...withoutId } = userCreated('x');
    for (const body of [otherId, JSON.stringify(withoutId), 'not json at all']) {
      const err = await republishOne(rt, { deadLetterId: ids[0], actor: admin, reason: 'x', body, force: true }).catch((e) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect(err.kind).toBe('contract_violation');
      expect(err.message).toMatch(/eventId/);
      expect(err.details.violations).toEqual([expect.objectContaining({ path: '$.eventId' })]);
    }
    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(0);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });
  });
});

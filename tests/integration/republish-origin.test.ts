// Republish to origin against the real broker and database: the message reaches the queue it
// died in (and only that one), byte-identical, properties kept, death headers gone, our
// headers added; a second call is refused and sends nothing; discard/restore; retry limit.
import type { GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionError } from '@/lib/action-error';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import { discardDeadLetter } from '@/lib/actions/discard-dead-letter';
import { restoreDeadLetter } from '@/lib/actions/restore-dead-letter';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { actionErrorOf } from './actions-fixtures';
import { MESSAGE_TIMESTAMP, recordState, seedDeadLetters, testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };
const admin = { name: 'adam@example.com', role: 'admin' as const };

describe('republish to origin', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let exchange: string;
  let origin: string;
  let sibling: string;
  let ledger: string;

  beforeAll(async () => {
    db = await createTestDatabase('republish_origin');
    broker = await createTestBroker();
    exchange = await broker.exchange(uniqueName('republish.ex'), 'topic');
    origin = await broker.queue(uniqueName('republish.notification'));
    sibling = await broker.queue(uniqueName('republish.analytics'));
    await broker.channel.bindQueue(origin, exchange, 'user.created');
    await broker.channel.bindQueue(sibling, exchange, 'user.created');
    ledger = uniqueName('republish.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger, { eventsExchange: exchange });
  });

  afterAll(async () => {
    await rt?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  it('delivers the stored message unchanged to the queue it died in, once', async () => {
    const seeded = await seedDeadLetters(db.pool, { queue: origin, exchange });
    const [id] = seeded.ids;
    const result = await republishOne(rt, { deadLetterId: id, actor: operator, reason: 'consumer fixed' });
    expect(result).toMatchObject({ status: 'republished', target: { kind: 'origin', exchange: '', routingKey: origin }, republishCount: 1 });

    const again = await actionErrorOf(republishOne(rt, { deadLetterId: id, actor: operator, reason: 'double click' }));
    expect(again.kind).toBe('conflict');

    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(1);
    expect((await broker.channel.checkQueue(sibling)).messageCount).toBe(0);
    const msg = (await broker.channel.get(origin, { noAck: true })) as GetMessage;
    expect(Buffer.compare(msg.content, seeded.bodies[0])).toBe(0);
    expect(JSON.parse(msg.content.toString()).eventId).toBe(seeded.eventIds[0]);
    expect(msg.properties).toMatchObject({
      contentType: 'application/json',
      deliveryMode: 2,
      messageId: `msg-${seeded.eventIds[0]}`,
      correlationId: 'corr-0',
      appId: 'user-service',
      timestamp: MESSAGE_TIMESTAMP,
      type: 'user.created',
    });
    const headers = msg.properties.headers!;
    expect(Object.keys(headers).filter((h) => /^x-(death|first-death-|last-death-)/.test(h))).toEqual([]);
    expect(headers['x-eventdesk-republish-count']).toBe(1);
    expect(headers['x-eventdesk-dead-letter-id']).toBe(id);
    expect(headers.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(headers['x-tenant']).toBe('north');
    expect(Buffer.from(headers['x-binary'] as Buffer).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
    expect(headers.BCC).toBeUndefined();

    expect(await recordState(db.pool, id)).toEqual({ status: 'republished', republish_count: 1, pending_count: 0 });
    const { rows: history } = await db.pool.query(`SELECT "action", "actor", "reason" FROM "dead_letter_history" WHERE "dead_letter_id" = $1`, [id]);
    expect(history).toEqual([{ action: 'republished', actor: operator.name, reason: 'consumer fixed' }]);
    const { rows: audit } = await db.pool.query(`SELECT "actor", "action", "target", "details" FROM "audit_log" WHERE "target" = $1`, [`dead-letter:${id}`]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: operator.name,
      action: 'republish',
      details: { target: { kind: 'origin', routingKey: origin }, republishCount: 1 },
    });
  });

  it('lets exactly one of two simultaneous requests through', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: origin, exchange });
    const results = await Promise.allSettled([
      republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'a' }),
      republishOne(rt, { deadLetterId: ids[0], actor: admin, reason: 'b' }),
      republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'c' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r.reason as ActionError).kind).toBe('conflict');
    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(1);
    await broker.channel.purgeQueue(origin);
  });

  it('publishes to an exchange when asked, reaching every bound queue', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: origin, exchange });
    const r = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'to all', target: { kind: 'exchange', routingKey: 'user.created' } });
    expect(r.target).toEqual({ kind: 'exchange', exchange, routingKey: 'user.created' });
    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(1);
    expect((await broker.channel.checkQueue(sibling)).messageCount).toBe(1);
    await broker.channel.purgeQueue(origin);
    await broker.channel.purgeQueue(sibling);
  });

  it('stops at MAX_RETRIES unless an admin forces it', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: origin, exchange, republishCount: 3 });
    const refused = await actionErrorOf(republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'again' }));
    expect(refused.kind).toBe('conflict');
    expect((await actionErrorOf(republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'x', force: true }))).kind).toBe('forbidden');
    expect((await broker.channel.checkQueue(origin)).messageCount).toBe(0);
    const forced = await republishOne(rt, { deadLetterId: ids[0], actor: admin, reason: 'root cause fixed', force: true });
    expect(forced.republishCount).toBe(4);
    const msg = (await broker.channel.get(origin, { noAck: true })) as GetMessage;
    expect(msg.properties.headers!['x-eventdesk-republish-count']).toBe(4);
  });

  it('discards and restores, keeping the group count and the audit', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: origin, exchange, count: 2 });
    const d = await discardDeadLetter(operator, { id: ids[0], reason: 'test traffic' }, rt.pool);
    expect(d.status).toBe('discarded');
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'discarded', pending_count: 1 });
    expect((await actionErrorOf(discardDeadLetter(operator, { id: ids[0], reason: 'again' }, rt.pool))).kind).toBe('conflict');
    expect((await actionErrorOf(republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'x' }))).kind).toBe('conflict');
    const r = await restoreDeadLetter(operator, { id: ids[0], reason: 'was real' }, rt.pool);
    expect(r.status).toBe('pending');
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', pending_count: 2 });
    const { rows } = await db.pool.query(`SELECT "action" FROM "audit_log" WHERE "target" = $1 ORDER BY "id"`, [`dead-letter:${ids[0]}`]);
    expect(rows.map((x) => x.action)).toEqual(['discard', 'restore']);
    const { rows: stored } = await db.pool.query(`SELECT count(*)::int AS n FROM "dead_letters" WHERE "id" = $1`, [ids[0]]);
    expect(stored[0].n).toBe(1);
    await expect(db.pool.query(`DELETE FROM "audit_log"`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`UPDATE "audit_log" SET "actor" = 'x'`)).rejects.toThrow(/append-only/);
  });

  it('answers 404 for an unknown dead letter', async () => {
    expect((await actionErrorOf(republishOne(rt, { deadLetterId: '00000000-0000-4000-8000-000000000000', actor: operator, reason: 'x' }))).kind).toBe(
      'not_found',
    );
  });
});

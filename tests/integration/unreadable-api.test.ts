// The retry/discard API on an unreadable record (one the drain parked), over HTTP against the
// production build: operators retry (stored -> a pending dead letter; still refused -> 422, nothing
// changed) or discard it; viewers get 403; the list filters and the detail shows the reason.
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordUnreadable } from '@/lib/bus/park';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { bearer, createTestToken } from '../helpers/auth';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startNextServer, type RunningServer } from '../helpers/next-server';

let db: TestDatabase;
let server: RunningServer;
let viewer: Record<string, string>;
let operator: Record<string, string>;
const log = pino({ level: 'silent' });

const message = (body: string, headers: Record<string, unknown>, messageId: string) =>
  ({
    content: Buffer.from(body),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'edu.events.dlq', consumerTag: 'c' },
    properties: { headers, messageId, contentType: 'application/json' },
  }) as unknown as ConsumeMessage;

/** Parks a message as the drain does after PostgreSQL refused it; returns the record's id. */
async function park(body: string, headers: Record<string, unknown>, reason: string): Promise<string> {
  const death = prepareDeadLetter(message(body, headers, `m-${randomUUID()}`));
  const id = await recordUnreadable(db.pool, death, reason, 'eventdesk.parked.edu.events.dlq', new Date(), log);
  if (!id) throw new Error('not recorded');
  return id;
}

const post = (path: string, auth: Record<string, string>, body: unknown = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = (path: string, auth = operator) => fetch(`${server.url}${path}`, { headers: auth });
const record = async (id: string) => (await db.pool.query(`SELECT status, unreadable_reason, updated_at FROM dead_letters WHERE id = $1`, [id])).rows[0];
const history = async (id: string) =>
  (await db.pool.query(`SELECT action FROM dead_letter_history WHERE dead_letter_id = $1 ORDER BY at, id`, [id])).rows.map((r) => r.action);

beforeAll(async () => {
  db = await createTestDatabase('unreadableapi');
  // (only a record derived from it, pending, is refused: unreadable or discarded ones keep the queue)
  await db.pool.query(`ALTER TABLE dead_letters ADD CONSTRAINT test_refused CHECK (status <> 'pending' OR queue <> '${REFUSED_QUEUE}')`);
  server = await startNextServer({ DATABASE_URL: db.url, DRAIN: 'false', TAP: 'false', LOG_LEVEL: 'warn' });
  viewer = bearer(await createTestToken(db.url, 'viewer'));
  operator = bearer(await createTestToken(db.url, 'operator'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

// A message PostgreSQL refuses for real: this test database has a CHECK its queue breaks (the
// drain reads every value a client can forge into something storable, so a refusal is made here).
const REFUSED_QUEUE = 'orders-service';
const refusedHeaders = { 'x-death': [{ queue: REFUSED_QUEUE, reason: 'rejected', count: 1, time: { '!': 'timestamp', value: 1764268800 } }] };
// One that stores fine (parked, say, while a bug since fixed refused it).
const storableHeaders = { 'x-death': [{ queue: 'notification-service', reason: 'rejected', count: 1, time: { '!': 'timestamp', value: 1764268800 } }] };

describe('the retry/discard API on an unreadable record', () => {
  it('viewers get 403 for retry and discard, and nothing changes', async () => {
    const id = await park('{"a":1}', refusedHeaders, 'refused by the database after 3 tries: 22008 timestamp out of range');
    const before = await record(id);
    for (const action of ['retry', 'discard']) {
      const res = await post(`/api/dead-letters/${id}/${action}`, viewer, { reason: 'viewer tries' });
      expect(res.status, action).toBe(403);
      expect((await res.json()).error.code).toBe('forbidden');
    }
    expect(await record(id)).toEqual(before);
  });

  it('lists unreadable records under their status filter and shows the park reason in the detail', async () => {
    const id = await park('{"listed":true}', refusedHeaders, 'refused by the database after 3 tries: 22008 timestamp out of range');
    const list = await (await get('/api/dead-letters?status=unreadable&limit=250', viewer)).json();
    expect(list.items.map((d: { id: string }) => d.id)).toContain(id);
    expect(list.items.every((d: { status: string }) => d.status === 'unreadable')).toBe(true);
    const detail = await (await get(`/api/dead-letters/${id}`, viewer)).json();
    expect(detail).toMatchObject({ status: 'unreadable', queue: 'orders-service', unreadableReason: expect.stringContaining('22008') });
    expect(detail.body).toMatchObject({ encoding: 'utf8', data: '{"listed":true}' });
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual(['parked']);
  });

  it('a retry that the database still refuses answers 422 with the reason and changes nothing', async () => {
    const id = await park('{"b":2}', refusedHeaders, 'refused by the database after 3 tries: 22008 timestamp out of range');
    const before = await record(id);
    const res = await post(`/api/dead-letters/${id}/retry`, operator, { reason: 'try again' });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe('unprocessable');
    expect(body.error.message).toMatch(/23514/);
    expect(await record(id)).toEqual(before);
    expect(await history(id)).toEqual(['parked']);
    const audit = await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE target = $1`, [`dead-letter:${id}`]);
    expect(audit.rows[0].n).toBe(0);
  });

  it('a retry that stores it makes it a pending dead letter, with its history and an audit line', async () => {
    const id = await park('{"eventId":"evt-retry-1","eventType":"user.created"}', storableHeaders, 'parked while a bug refused it');
    const res = await post(`/api/dead-letters/${id}/retry`, operator, { reason: 'bug fixed' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'pending', previousId: id });
    expect(body.id).not.toBe(id);
    expect((await get(`/api/dead-letters/${id}`)).status).toBe(404);
    const detail = await (await get(`/api/dead-letters/${body.id}`)).json();
    expect(detail).toMatchObject({ status: 'pending', eventId: 'evt-retry-1', queue: 'notification-service', unreadableReason: null });
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual(['parked', 'dead-lettered', 'retried']);
    const audit = await db.pool.query(`SELECT action, actor, reason, details->>'previousId' AS previous FROM audit_log WHERE target = $1`, [
      `dead-letter:${body.id}`,
    ]);
    expect(audit.rows).toEqual([{ action: 'retry-unreadable', actor: expect.any(String), reason: 'bug fixed', previous: id }]);
    const groups = await db.pool.query(`SELECT pending_count FROM failure_groups WHERE id = $1`, [detail.groupId]);
    expect(groups.rows[0].pending_count).toBe(1);
    // no longer unreadable: a second retry is a conflict
    expect((await post(`/api/dead-letters/${body.id}/retry`, operator)).status).toBe(409);
  });

  it('operators discard an unreadable record (audited) and a restore brings it back to unreadable', async () => {
    const id = await park('{"c":3}', refusedHeaders, 'refused by the database after 3 tries: 22008 timestamp out of range');
    const res = await post(`/api/dead-letters/${id}/discard`, operator, { reason: 'junk' });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('discarded');
    expect((await record(id)).status).toBe('discarded');
    const restored = await post(`/api/dead-letters/${id}/restore`, operator, {});
    expect(restored.status).toBe(200);
    expect((await restored.json()).status).toBe('unreadable');
    expect(await history(id)).toEqual(['parked', 'discarded', 'restored']);
    const audit = await db.pool.query(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [`dead-letter:${id}`]);
    expect(audit.rows.map((r) => r.action)).toEqual(['discard', 'restore']);
  });
});

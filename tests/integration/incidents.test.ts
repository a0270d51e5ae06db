// Incidents (issue 16): a failure group's lifecycle through the real route handlers and the real
// drain. Resolve a group, drain one more dead letter of it -> open, reopenedCount 1, one
// group.reopened outbox row, a history entry; a snooze that has ended reads open and the drain
// makes it open for real; a flood of one new group makes exactly one group.new; viewers read,
// operators change; bad input is a 400 naming the field; an illegal change is a 409.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Drainer } from '@/lib/bus/drainer';
import { beginGroupLifecycle } from '@/lib/bus/group-lifecycle-writes';
import { groupDetailSchema, groupListSchema, groupNoteSchema } from '@/lib/schemas/groups';
import { assignableUserListSchema } from '@/lib/schemas/users';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestUser } from '../helpers/auth';
import { publishAll, testLogger, waitFor, count } from './drain-helpers';
import { groupDeadLetter } from './drain-fixtures';
import { call, envelope, routeEnv, type Handler, type RouteEnv } from './route-handlers';

let env: RouteEnv;
let broker: TestBroker;
let drainer: Drainer;
let dlq: string;
const h = {} as Record<'list' | 'get' | 'patch' | 'note' | 'assignable', Handler>;

beforeAll(async () => {
  env = await routeEnv('incidents');
  broker = await createTestBroker();
  dlq = await broker.queue(uniqueName('incidents.dlq'));
  drainer = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: env.db.url, batchSize: 500, lingerMs: 10, logger: testLogger });
  await drainer.start();
  h.list = (await import('@/app/api/groups/route')).GET;
  h.get = (await import('@/app/api/groups/[id]/route')).GET as unknown as Handler;
  h.patch = (await import('@/app/api/groups/[id]/route')).PATCH as unknown as Handler;
  h.note = (await import('@/app/api/groups/[id]/notes/route')).POST as unknown as Handler;
  h.assignable = (await import('@/app/api/users/assignable/route')).GET;
}, 60_000);

afterAll(async () => {
  await drainer?.stop();
  await broker?.cleanup();
  await env?.db.drop();
});

const sql = async <T>(text: string, params: unknown[] = []) => (await env.db.pool.query(text, params)).rows as T[];
const groupOf = async (queue: string) => (await sql<{ id: string }>(`SELECT id FROM failure_groups WHERE queue = $1`, [queue]))[0]?.id;
const countOf = async (id: string) => Number((await sql<{ count: number }>(`SELECT count FROM failure_groups WHERE id = $1`, [id]))[0]?.count ?? 0);

async function drain(queue: string, n: number, error = 'Student not found'): Promise<string> {
  const before = (await groupOf(queue)) ? await countOf(await groupOf(queue)) : 0;
  await publishAll(
    broker.connection,
    dlq,
    Array.from({ length: n }, () => groupDeadLetter(queue, error)),
  );
  return waitFor(
    async () => {
      const id = await groupOf(queue);
      return id && (await countOf(id)) === before + n ? id : null;
    },
    60_000,
    `${n} dead letters of ${queue}`,
  );
}

const patch = (id: string, body: object, who: 'viewer' | 'operator' | 'admin' = 'operator') =>
  call(h.patch, 'PATCH', `/api/groups/${id}`, { headers: env.tokens[who], params: { id }, body });
const detail = async (id: string) =>
  groupDetailSchema.parse(await (await call(h.get, 'GET', `/api/groups/${id}`, { headers: env.tokens.viewer, params: { id } })).json());
const outbox = (id: string, type: string) => count(env.db.pool, `SELECT count(*) FROM notification_outbox WHERE group_id = $1 AND type = $2`, [id, type]);

describe('regression through the real drain', () => {
  it('a new dead letter reopens a resolved group, once notified per 10 minutes', async () => {
    const queue = uniqueName('grading-service');
    const id = await drain(queue, 3);
    expect(await outbox(id, 'group.new')).toBe(1);
    expect((await detail(id)).status).toBe('open');

    const res = await patch(id, { status: 'resolved', reason: 'fixed in 1.4.2' });
    expect(res.status).toBe(200);
    const resolved = groupDetailSchema.parse(await res.json());
    expect(resolved).toMatchObject({ status: 'resolved', reopenedCount: 0 });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.history[0]).toMatchObject({ action: 'resolved', reason: 'fixed in 1.4.2', details: { from: 'open', to: 'resolved' } });
    expect(await count(env.db.pool, `SELECT count(*) FROM audit_log WHERE target = $1 AND action = 'group-change'`, [`group:${id}`])).toBe(1);

    await drain(queue, 1);
    const reopened = await detail(id);
    expect(reopened).toMatchObject({ status: 'open', reopenedCount: 1, resolvedAt: null });
    expect(reopened.history[0]).toMatchObject({ action: 'reopened', actor: 'drain', details: { from: 'resolved', to: 'open', reopenedCount: 1 } });
    // the drain's change is in the audit log too, as an operator's reads
    const audit = await sql<{ actor: string; reason: string; details: unknown }>(
      `SELECT actor, reason, details FROM audit_log WHERE target = $1 AND action = 'group-change' ORDER BY id`,
      [`group:${id}`],
    );
    expect(audit).toHaveLength(2); // the operator's resolve, then the drain's reopen
    expect(audit[1]).toMatchObject({
      actor: 'drain',
      reason: 'a new dead letter reopened the resolved group',
      details: { status: { from: 'resolved', to: 'open' }, reopenedCount: 1 },
    });
    expect(await outbox(id, 'group.reopened')).toBe(1);
    expect(await outbox(id, 'group.new')).toBe(1);
    const [row] = await sql<{ payload: { group: { id: string; queue: string } } }>(
      `SELECT payload FROM notification_outbox WHERE group_id = $1 AND type = 'group.reopened'`,
      [id],
    );
    expect(row.payload.group).toMatchObject({ id, queue });

    // resolved and reopened again within 10 minutes: counted, not notified again
    expect((await patch(id, { status: 'resolved' })).status).toBe(200);
    await drain(queue, 2);
    expect(await detail(id)).toMatchObject({ status: 'open', reopenedCount: 2 });
    expect(await outbox(id, 'group.reopened')).toBe(1);
    // past the 10 minutes: notified again
    await sql(`UPDATE failure_groups SET last_reopen_notified_at = now() - interval '11 minutes' WHERE id = $1`, [id]);
    expect((await patch(id, { status: 'resolved' })).status).toBe(200);
    await drain(queue, 1);
    expect(await outbox(id, 'group.reopened')).toBe(2);
  });

  it('a snooze that has ended reads open everywhere, and the drain makes it open for real', async () => {
    const queue = uniqueName('billing-service');
    const id = await drain(queue, 1);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const res = await patch(id, { status: 'snoozed', snoozedUntil: until });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    const listed = async (status: string) =>
      groupListSchema.parse(await (await call(h.list, 'GET', `/api/groups?status=${status}&queue=${queue}`, { headers: env.tokens.viewer })).json());
    expect((await listed('snoozed')).items.map((g) => g.id)).toEqual([id]);
    expect((await listed('snoozed')).counts).toMatchObject({ snoozed: 1, open: 0, all: 1 });

    // the snooze ends (no job runs): every read says open
    await sql(`UPDATE failure_groups SET snoozed_until = now() - interval '1 second' WHERE id = $1`, [id]);
    expect(await detail(id)).toMatchObject({ status: 'open', snoozedUntil: null });
    expect((await listed('open')).items.map((g) => g.id)).toEqual([id]);
    expect((await listed('open')).counts).toMatchObject({ snoozed: 0, open: 1, all: 1 });
    expect((await listed('snoozed')).items).toEqual([]);
    expect((await sql<{ status: string }>(`SELECT status FROM failure_groups WHERE id = $1`, [id]))[0].status).toBe('snoozed');

    await drain(queue, 1);
    expect((await sql<{ status: string; reopened_count: number }>(`SELECT status, reopened_count FROM failure_groups WHERE id = $1`, [id]))[0]).toEqual({
      status: 'open',
      reopened_count: 0,
    });
    expect((await detail(id)).history[0]).toMatchObject({ action: 'snooze-ended', actor: 'drain' });
    const [last] = await sql<{ actor: string; details: unknown }>(
      `SELECT actor, details FROM audit_log WHERE target = $1 AND action = 'group-change' ORDER BY id DESC LIMIT 1`,
      [`group:${id}`],
    );
    expect(last).toEqual({ actor: 'drain', details: { status: { from: 'snoozed', to: 'open' }, reopenedCount: 0 } });
    expect(await outbox(id, 'group.reopened')).toBe(0);
  });

  it('two drainers storing a dead letter of one resolved group at once reopen it once', async () => {
    const id = await drain(uniqueName('race-service'), 1);
    expect((await patch(id, { status: 'resolved' })).status).toBe(200);
    const [a, b] = [new pg.Client({ connectionString: env.db.url }), new pg.Client({ connectionString: env.db.url })];
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      expect((await beginGroupLifecycle(a, [id])).reopened).toEqual([id]);
      const second = beginGroupLifecycle(b, [id]); // waits for a's row lock
      await new Promise((r) => setTimeout(r, 200));
      await a.query('COMMIT');
      expect(await second).toEqual({ created: [], reopened: [], unsnoozed: [] });
      await b.query('COMMIT');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    expect(await detail(id)).toMatchObject({ status: 'open', reopenedCount: 1 });
    expect(await outbox(id, 'group.reopened')).toBe(1);
    expect(await count(env.db.pool, `SELECT count(*) FROM failure_group_history WHERE group_id = $1 AND action = 'reopened'`, [id])).toBe(1);
    expect(await count(env.db.pool, `SELECT count(*) FROM audit_log WHERE target = $1 AND actor = 'drain'`, [`group:${id}`])).toBe(1);
  });

  it("a drain's reopen that waited for the group carries the time it happened, after the change it waited for", async () => {
    const id = await drain(uniqueName('waited-service'), 1);
    expect((await patch(id, { status: 'resolved' })).status).toBe(200);
    const [holder, drainTx] = [new pg.Client({ connectionString: env.db.url }), new pg.Client({ connectionString: env.db.url })];
    await Promise.all([holder.connect(), drainTx.connect()]);
    let released = 0;
    try {
      // the drain's transaction begins, then waits 500 ms for the group another transaction holds
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM failure_groups WHERE id = $1 FOR UPDATE', [id]);
      await drainTx.query('BEGIN');
      await drainTx.query('SELECT 1');
      const reopening = beginGroupLifecycle(drainTx, [id]);
      await new Promise((r) => setTimeout(r, 500));
      released = (await holder.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t.getTime();
      await holder.query('COMMIT');
      expect((await reopening).reopened).toEqual([id]);
      await drainTx.query('COMMIT');
    } finally {
      await Promise.all([holder.end(), drainTx.end()]);
    }
    const [row] = await sql<{ status_changed_at: Date; at: Date }>(
      `SELECT g.status_changed_at, h.at FROM failure_groups g JOIN failure_group_history h ON h.group_id = g.id AND h.action = 'reopened' WHERE g.id = $1`,
      [id],
    );
    // with the transaction's start (now()) both were ~500 ms before: "reopened" then read as before the resolve it followed
    expect(row.status_changed_at.getTime()).toBeGreaterThanOrEqual(released);
    expect(row.at.getTime()).toBeGreaterThanOrEqual(released);
  });

  it('5,000 dead letters of one new group make exactly one group.new', async () => {
    const queue = uniqueName('flood-service');
    const t0 = Date.now();
    const id = await drain(queue, 5000, 'Flood');
    const ms = Date.now() - t0;
    console.log(`incidents: 5,000 dead letters of one new group drained in ${ms} ms (${Math.round(5000 / (ms / 1000))}/s, publish included)`);
    expect(await outbox(id, 'group.new')).toBe(1);
    expect(await count(env.db.pool, `SELECT count(*) FROM notification_outbox WHERE group_id = $1`, [id])).toBe(1);
  }, 120_000);
});

describe('the API', () => {
  let id: string;
  beforeAll(async () => {
    id = await drain(uniqueName('api-service'), 1);
  });

  it('viewers read, operators change', async () => {
    const res = await patch(id, { status: 'acknowledged' }, 'viewer');
    expect(res.status).toBe(403);
    expect((await envelope(res)).code).toBe('forbidden');
    const note = await call(h.note, 'POST', `/api/groups/${id}/notes`, { headers: env.tokens.viewer, params: { id }, body: { text: 'x' } });
    expect(note.status).toBe(403);
    expect((await detail(id)).status).toBe('open');
  });

  it('an illegal change is a 409 naming from and to; bad input a 400 naming the field; unknown a 404', async () => {
    expect((await patch(id, { status: 'resolved' })).status).toBe(200);
    const res = await patch(id, { status: 'acknowledged' });
    expect(res.status).toBe(409);
    expect(await envelope(res)).toMatchObject({ code: 'conflict', details: { reason: 'illegal-transition', from: 'resolved', to: 'acknowledged' } });
    expect((await patch(id, { status: 'open', reason: 'not fixed after all' })).status).toBe(200);
    expect((await detail(id)).history[0]).toMatchObject({ action: 'reopened', reason: 'not fixed after all' });

    for (const [body, field] of [
      [{ status: 'snoozed', snoozedUntil: '2020-01-01T00:00:00Z' }, 'snoozedUntil'],
      [{ status: 'snoozed', snoozedUntil: new Date(Date.now() + 91 * 86_400_000).toISOString() }, 'snoozedUntil'],
      [{ status: 'snoozed' }, 'snoozedUntil'],
      [{ status: 'closed' }, 'status'],
      [{}, 'status'],
      [{ assigneeId: 'me' }, 'assigneeId'], // a token is no user
      [{ assigneeId: randomUUID() }, 'assigneeId'],
      [{ status: 'acknowledged', reason: 'a\u0000b' }, 'reason'],
    ] as const) {
      const r = await patch(id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify((await envelope(r)).details), JSON.stringify(body)).toContain(field);
    }
    for (const text of ['', '   ', 'a\u0000b', 'x'.repeat(10_001)]) {
      const r = await call(h.note, 'POST', `/api/groups/${id}/notes`, { headers: env.tokens.operator, params: { id }, body: { text } });
      expect(r.status).toBe(400);
    }
    expect((await patch('0123456789abcdef', { status: 'acknowledged' })).status).toBe(404);
    expect((await call(h.get, 'GET', '/api/groups/nope', { headers: env.tokens.viewer, params: { id: 'nope' } })).status).toBe(404);
    expect(
      (
        await call(h.note, 'POST', '/api/groups/0123456789abcdef/notes', {
          headers: env.tokens.operator,
          params: { id: '0123456789abcdef' },
          body: { text: 'x' },
        })
      ).status,
    ).toBe(404);
  });

  it('acknowledge, assign, notes and the assignee filter', async () => {
    const user = await createTestUser(env.db.url, 'operator', 'ana');
    const res = await patch(id, { status: 'acknowledged', assigneeId: user.id, reason: 'looking' });
    expect(res.status).toBe(200);
    const g = groupDetailSchema.parse(await res.json());
    expect(g).toMatchObject({ status: 'acknowledged', assignee: { id: user.id, email: user.email } });
    expect(
      g.history
        .slice(0, 2)
        .map((e) => e.action)
        .sort(),
    ).toEqual(['acknowledged', 'assigned']);

    const text = '# Cause\n<script>alert(1)</script> **bold**';
    const created = await call(h.note, 'POST', `/api/groups/${id}/notes`, { headers: env.tokens.operator, params: { id }, body: { text } });
    expect(created.status).toBe(201);
    const note = groupNoteSchema.parse(await created.json());
    expect(note.text).toBe(text);
    const d = await detail(id);
    expect(d.notes.map((n) => n.text)).toEqual([text]);
    expect(d.history[0]).toMatchObject({ action: 'note-added', details: { noteId: note.id } });
    expect(await count(env.db.pool, `SELECT count(*) FROM audit_log WHERE target = $1 AND action = 'group-note'`, [`group:${id}`])).toBe(1);

    const mine = groupListSchema.parse(await (await call(h.list, 'GET', `/api/groups?assignee=${user.id}`, { headers: env.tokens.viewer })).json());
    expect(mine.items.map((i) => i.id)).toEqual([id]);
    expect(mine.counts).toMatchObject({ acknowledged: 1, all: 1 });
    const me = await call(h.list, 'GET', '/api/groups?assignee=me', { headers: env.tokens.viewer });
    expect(me.status).toBe(400);

    expect((await patch(id, { assigneeId: null })).status).toBe(200);
    expect((await detail(id)).assignee).toBeNull();
    expect((await detail(id)).history[0]).toMatchObject({ action: 'unassigned' });
  });

  it('anyone signed in lists the assignable users (active operators and admins, id and email only); an operator assigns to another', async () => {
    const [op, other, admin, viewer, gone] = await Promise.all([
      createTestUser(env.db.url, 'operator', 'op'),
      createTestUser(env.db.url, 'operator', 'other'),
      createTestUser(env.db.url, 'admin', 'boss'),
      createTestUser(env.db.url, 'viewer', 'reader'),
      createTestUser(env.db.url, 'operator', 'gone'),
    ]);
    await sql(`UPDATE users SET status = 'disabled' WHERE id = $1`, [gone.id]);

    expect((await call(h.assignable, 'GET', '/api/users/assignable')).status).toBe(401);
    const list = async (who: 'viewer' | 'operator') => {
      const res = await call(h.assignable, 'GET', '/api/users/assignable', { headers: env.tokens[who] });
      expect(res.status, who).toBe(200);
      const body = (await res.json()) as { items: Record<string, unknown>[] };
      expect(Object.keys(body)).toEqual(['items']);
      for (const item of body.items) expect(Object.keys(item).sort()).toEqual(['email', 'id']);
      return assignableUserListSchema.parse(body).items;
    };
    // exactly the active operators and admins, by email
    const want = await sql<{ id: string; email: string }>(
      `SELECT id::text, email FROM users WHERE status = 'active' AND role IN ('operator', 'admin') ORDER BY email`,
    );
    const items = await list('operator');
    expect(items).toEqual(want);
    const ids = items.map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([op.id, other.id, admin.id]));
    expect(ids).not.toContain(viewer.id);
    expect(ids).not.toContain(gone.id);
    expect(items.find((u) => u.id === other.id)).toEqual({ id: other.id, email: other.email });
    // a viewer reads the same list, the emails masked as in every answer to a viewer
    const seen = await list('viewer');
    expect(seen.map((u) => u.id)).toEqual(ids);
    expect(seen.find((u) => u.id === other.id)?.email).toMatch(/^o\*\*\*@e\*\*\*\.test$/);
    expect(seen.some((u) => u.email.includes('@example.test'))).toBe(false);

    // an operator assigns the group to another operator, as the group page's "Assign to…" does
    const assigned = await patch(id, { assigneeId: other.id, reason: 'yours' }, 'operator');
    expect(assigned.status).toBe(200);
    const g = groupDetailSchema.parse(await assigned.json());
    expect(g.assignee).toEqual({ id: other.id, email: other.email });
    expect(g.history[0]).toMatchObject({ action: 'assigned', reason: 'yours', details: { to: { id: other.id, email: other.email } } });
    expect((await patch(id, { assigneeId: gone.id })).status).toBe(400);
    // a viewer cannot act on a group: not someone to assign it to either
    const toViewer = await patch(id, { assigneeId: viewer.id });
    expect(toViewer.status).toBe(400);
    expect(JSON.stringify(await toViewer.json())).toContain('assigneeId');
    expect((await detail(id)).assignee?.id).toBe(other.id);
  });

  it('lists at most 500 assignable users', async () => {
    await sql(
      `INSERT INTO users (email, role, created_by) SELECT 'cap-' || lpad(n::text, 4, '0') || '@example.test', 'operator', 'tests' FROM generate_series(1, 510) n`,
    );
    try {
      const res = await call(h.assignable, 'GET', '/api/users/assignable', { headers: env.tokens.operator });
      const { items } = assignableUserListSchema.parse(await res.json());
      expect(items).toHaveLength(500);
      // the first 500 by email (the database's collation, as ORDER BY sorts)
      expect(items).toEqual(
        await sql<{ id: string; email: string }>(
          `SELECT id::text, email FROM users WHERE status = 'active' AND role IN ('operator', 'admin') ORDER BY email LIMIT 500`,
        ),
      );
    } finally {
      await sql(`DELETE FROM users WHERE email LIKE 'cap-%@example.test'`);
    }
  });
});

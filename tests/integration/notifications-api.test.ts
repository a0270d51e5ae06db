// Notifications (issue 16) through the real route handlers: only admins see and manage channels
// (viewer and operator: 403); the secret is in the create answer only; URLs other than http(s)
// are refused; "Send test" arrives signed; a Slack channel gets {text, blocks} with Slack's
// characters escaped; a redirect is a failure, not followed; changes are audited; and the
// condition events (dlq.rate, drain.stopped, queue.no_consumers) are written once per episode.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConditionEvaluator, watchedQueues } from '@/lib/notifications/conditions';
import { until } from '../helpers/until';
import { call, routeEnv, type Handler, type RouteEnv } from './route-handlers';
import { quietSender, startReceiver, verifySignature, type Receiver } from './notifications-fixtures';

let env: RouteEnv;
let receiver: Receiver;
let sender: ReturnType<typeof quietSender>;
const h = {} as Record<'list' | 'create' | 'patch' | 'remove' | 'test' | 'deliveries', Handler>;

beforeAll(async () => {
  env = await routeEnv('notify-api');
  receiver = await startReceiver((req) => (req.url === '/moved' ? 302 : 200));
  h.list = (await import('@/app/api/notifications/channels/route')).GET;
  h.create = (await import('@/app/api/notifications/channels/route')).POST;
  h.patch = (await import('@/app/api/notifications/channels/[id]/route')).PATCH as Handler;
  h.remove = (await import('@/app/api/notifications/channels/[id]/route')).DELETE as Handler;
  h.test = (await import('@/app/api/notifications/channels/[id]/test/route')).POST as Handler;
  h.deliveries = (await import('@/app/api/notifications/deliveries/route')).GET;
  sender = quietSender(env.db.url);
});
afterAll(async () => {
  await sender?.stop();
  await receiver?.close();
  await env?.db.drop();
});

const create = async (body: object) => {
  const res = await call(h.create, 'POST', '/api/notifications/channels', { headers: env.tokens.admin, body });
  return { status: res.status, json: (await res.json()) as { item: { id: string; name: string }; secret: string; error?: { code: string } } };
};
const deliveriesOf = async (channelId: string) =>
  (
    (await (await call(h.deliveries, 'GET', `/api/notifications/deliveries?channelId=${channelId}`, { headers: env.tokens.admin })).json()) as {
      items: { id: string; type: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null }[];
    }
  ).items;

describe('channels API', () => {
  it('is for admins only: a viewer cannot see channels, an operator cannot manage them', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const headers = env.tokens[role];
      expect((await call(h.list, 'GET', '/api/notifications/channels', { headers })).status).toBe(403);
      const body = { kind: 'webhook', name: 'x', url: receiver.url, events: ['test'] };
      expect((await call(h.create, 'POST', '/api/notifications/channels', { headers, body })).status).toBe(403);
      const params = { id: '00000000-0000-0000-0000-000000000000' };
      expect((await call(h.patch, 'PATCH', '/api/x', { headers, params, body: { enabled: false } })).status).toBe(403);
      expect((await call(h.remove, 'DELETE', '/api/x', { headers, params })).status).toBe(403);
      expect((await call(h.test, 'POST', '/api/x', { headers, params })).status).toBe(403);
      expect((await call(h.deliveries, 'GET', `/api/x?channelId=${params.id}`, { headers })).status).toBe(403);
    }
    expect((await call(h.list, 'GET', '/api/notifications/channels')).status).toBe(401);
  });

  it('refuses URLs that are not http(s) and events it does not know', async () => {
    for (const url of ['ftp://h/x', 'javascript:alert(1)', 'file:///etc/passwd', 'http://user:pw@h/x', 'not a url', `http://h/${'x'.repeat(2100)}`]) {
      const { status, json } = await create({ kind: 'webhook', name: 'bad', url, events: ['test'] });
      expect(status, url.slice(0, 40)).toBe(400);
      expect(json.error?.code).toBe('invalid_request');
    }
    expect((await create({ kind: 'webhook', name: 'bad', url: receiver.url, events: ['group.gone'] })).status).toBe(400);
    expect((await create({ kind: 'webhook', name: 'bad', url: receiver.url, events: [] })).status).toBe(400);
    expect((await create({ kind: 'email', name: 'bad', url: receiver.url, events: ['test'] })).status).toBe(400);
  });

  it('shows the secret once; Send test arrives signed; PATCH and DELETE are audited', async () => {
    const { status, json } = await create({
      kind: 'webhook',
      name: 'ops',
      url: receiver.url,
      events: ['group.new'],
      eventTypes: ['order.placed'],
      rate: { count: 5, minutes: 2 },
    });
    expect(status).toBe(201);
    const { item, secret } = json;
    const listed = JSON.stringify(await (await call(h.list, 'GET', '/api/notifications/channels', { headers: env.tokens.admin })).json());
    expect(listed).toContain(item.id);
    expect(listed).not.toContain(secret);

    const queued = await call(h.test, 'POST', '/api/x', { headers: env.tokens.admin, params: { id: item.id } });
    expect(queued.status).toBe(202);
    const got = await until(
      'the test',
      async () => receiver.requests.filter((r) => r.event === 'test'),
      (r) => r.length === 1,
      { timeoutMs: 15_000, everyMs: 100 },
    );
    expect(verifySignature(secret, got[0])).toBe(true);
    expect(got[0].body).toMatchObject({ type: 'test', deliveryId: got[0].delivery, console: 'http://console.test:3000/settings' });
    await until(
      'delivered',
      () => deliveriesOf(item.id),
      (d) => d[0]?.status === 'delivered',
      { timeoutMs: 10_000, everyMs: 100 },
    );
    expect((await deliveriesOf(item.id))[0]).toMatchObject({ type: 'test', status: 'delivered', attempts: 1, lastStatusCode: 200 });

    const patched = await call(h.patch, 'PATCH', '/api/x', { headers: env.tokens.admin, params: { id: item.id }, body: { enabled: false, name: 'ops (off)' } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ enabled: false, name: 'ops (off)' });
    expect((await call(h.patch, 'PATCH', '/api/x', { headers: env.tokens.admin, params: { id: item.id }, body: { url: 'gopher://x' } })).status).toBe(400);
    expect((await call(h.remove, 'DELETE', '/api/x', { headers: env.tokens.admin, params: { id: item.id } })).status).toBe(200);
    expect((await call(h.remove, 'DELETE', '/api/x', { headers: env.tokens.admin, params: { id: item.id } })).status).toBe(404);
    expect((await call(h.deliveries, 'GET', `/api/x?channelId=${item.id}`, { headers: env.tokens.admin })).status).toBe(404);
    const { rows } = await env.db.pool.query<{ action: string; details: string }>(`SELECT action, details::text FROM audit_log WHERE target = $1 ORDER BY id`, [
      `notification-channel:${item.id}`,
    ]);
    expect(rows.map((r) => r.action)).toEqual([
      'notification-channel-create',
      'notification-channel-test',
      'notification-channel-update',
      'notification-channel-delete',
    ]);
    expect(rows.every((r) => !r.details.includes(secret))).toBe(true);
  });

  it('a Slack channel gets {text, blocks} with &, < and > escaped', async () => {
    const { json } = await create({ kind: 'slack', name: 'slack', url: receiver.url, events: ['group.new'] });
    await env.db.pool.query(
      `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
       VALUES ('g-slack', 'order.placed', 'billing', 'rejected <b>&</b>', 'Error: <n>', 1, 1, now(), now())`,
    );
    await env.db.pool.query(`INSERT INTO notification_outbox (type, event_type, group_id) VALUES ('group.new', 'order.placed', 'g-slack')`);
    const [slack] = await until(
      'the slack message',
      async () => receiver.requests.filter((r) => r.event === 'group.new'),
      (r) => r.length === 1,
      {
        timeoutMs: 15_000,
        everyMs: 100,
      },
    );
    expect(verifySignature(json.secret, slack)).toBe(true);
    const body = slack.body as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(body.text).toContain('order.placed in billing: rejected');
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(body.blocks[1].elements![0].text).toContain('<http://console.test:3000/groups/g-slack|Open in EventDesk>');
    expect(slackEscapeCheck(JSON.stringify(body))).toBe(true);
  });

  it('a redirect is a failure, not followed', async () => {
    const { json } = await create({ kind: 'webhook', name: 'moved', url: receiver.url.replace('/hook', '/moved'), events: ['test'] });
    await call(h.test, 'POST', '/api/x', { headers: env.tokens.admin, params: { id: json.item.id } });
    const [d] = await until(
      'the failed attempt',
      () => deliveriesOf(json.item.id),
      (d) => (d[0]?.attempts ?? 0) >= 1,
      { timeoutMs: 15_000, everyMs: 100 },
    );
    expect(d).toMatchObject({ status: 'pending', lastStatusCode: 302 });
    expect(d.lastError).toMatch(/redirect/);
    expect(receiver.requests.some((r) => r.event === 'test' && r.delivery === d.id)).toBe(true);
  });
});

describe('a database that drops connections', () => {
  it("the sender's sessions killed: it logs, backs off and delivers the next event", async () => {
    const { json } = await create({ kind: 'webhook', name: 'after drop', url: receiver.url, events: ['test'] });
    let killed = 0;
    for (let i = 0; i < 3; i++) {
      const { rowCount } = await env.db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'eventdesk-notify' AND datname = current_database()`,
      );
      killed += rowCount ?? 0;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(killed).toBeGreaterThan(0);
    await call(h.test, 'POST', '/api/x', { headers: env.tokens.admin, params: { id: json.item.id } });
    const [d] = await until(
      'delivered after the drops',
      () => deliveriesOf(json.item.id),
      (x) => x[0]?.status === 'delivered',
      { timeoutMs: 30_000, everyMs: 200 },
    );
    expect(receiver.requests.filter((r) => r.delivery === d.id)).toHaveLength(1);
  });
});

describe('a disabled channel', () => {
  it('keeps its pending deliveries until it is enabled again', async () => {
    const { json } = await create({ kind: 'webhook', name: 'paused', url: receiver.url, events: ['group.reopened'] });
    const patch = (enabled: boolean) => call(h.patch, 'PATCH', '/api/x', { headers: env.tokens.admin, params: { id: json.item.id }, body: { enabled } });
    expect((await patch(false)).status).toBe(200);
    const { rows } = await env.db.pool.query<{ id: string }>(
      `INSERT INTO notification_outbox (type, group_id, dispatched_at) VALUES ('group.reopened', 'g-paused', now()) RETURNING id`,
    );
    const { rows: d } = await env.db.pool.query<{ id: string }>(
      `INSERT INTO notification_deliveries (outbox_id, channel_id, type) VALUES ($1, $2, 'group.reopened') RETURNING id`,
      [rows[0].id, json.item.id],
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.requests.filter((r) => r.delivery === d[0].id)).toHaveLength(0);
    expect((await patch(true)).status).toBe(200);
    await until(
      'sent once enabled',
      async () => receiver.requests.filter((r) => r.delivery === d[0].id),
      (r) => r.length === 1,
      { timeoutMs: 10_000, everyMs: 100 },
    );
  });
});

describe('leases and giving up', () => {
  it("a dead process's lease expires and another sender delivers; a delivery past 24 h is given up after its attempt", async () => {
    const { json: live } = await create({ kind: 'webhook', name: 'lease', url: receiver.url, events: ['group.reopened'] });
    const { json: down } = await create({ kind: 'webhook', name: 'down', url: receiver.url.replace('/hook', '/moved'), events: ['group.reopened'] });
    const { rows } = await env.db.pool.query<{ id: string }>(
      `INSERT INTO notification_outbox (type, group_id, dispatched_at) VALUES ('group.reopened', 'g-lease', now()) RETURNING id`,
    );
    // held by a process that died mid-attempt (lease over), and one created 25 h ago
    const { rows: d } = await env.db.pool.query<{ id: string; channel_id: string }>(
      `INSERT INTO notification_deliveries (outbox_id, channel_id, type, attempts, lease_owner, lease_until, created_at)
       VALUES ($1, $2, 'group.reopened', 1, 'sender-dead', now() - interval '1 second', now()),
              ($1, $3, 'group.reopened', 40, NULL, NULL, now() - interval '25 hours')
       RETURNING id, channel_id`,
      [rows[0].id, live.item.id, down.item.id],
    );
    const taken = d.find((x) => x.channel_id === live.item.id)!.id;
    const late = d.find((x) => x.channel_id === down.item.id)!.id;
    const settled = await until(
      'both settled',
      async () =>
        (
          await env.db.pool.query<{ id: string; status: string; attempts: number }>(
            `SELECT id, status, attempts FROM notification_deliveries WHERE id = ANY($1::uuid[])`,
            [[taken, late]],
          )
        ).rows,
      (r) => r.length === 2 && r.every((x) => x.status !== 'pending'),
      { timeoutMs: 15_000, everyMs: 100 },
    );
    expect(settled.find((x) => x.id === taken)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(settled.find((x) => x.id === late)).toMatchObject({ status: 'failed', attempts: 41 });
    expect(receiver.requests.filter((r) => r.delivery === taken && r.answered === 200)).toHaveLength(1);
  });
});

/** the reason's "<b>" never reaches Slack as markup */
function slackEscapeCheck(raw: string): boolean {
  return raw.includes('rejected &lt;b&gt;&amp;&lt;/b&gt;') && !raw.includes('<b>');
}

describe('condition events', () => {
  it("queue.no_consumers watches the platform's queues and every queue dead letters died in", async () => {
    const queue = `own-service-${randomUUID().slice(0, 8)}`;
    await env.db.pool.query(
      `INSERT INTO failure_groups (id, event_type, queue, reason, signature, first_seen_at, last_seen_at) VALUES ($1, 'x.y', $2, 'rejected', 's', now(), now())`,
      [randomUUID().replace(/-/g, '').slice(0, 16), queue],
    );
    await env.db.pool.query(
      `INSERT INTO failure_groups (id, event_type, queue, reason, signature, first_seen_at, last_seen_at) VALUES ($1, 'x.y', 'notification-service.retry.4s', 'maxlen', 's', now(), now())`,
      [randomUUID().replace(/-/g, '').slice(0, 16)],
    );
    const names = await watchedQueues(env.db.pool, ['notification-service'], new Set(['notification-service.retry.4s']));
    expect(names).toContain('notification-service');
    expect(names).toContain(queue);
    expect(names).not.toContain('');
    expect(names).not.toContain('notification-service.retry.4s'); // no consumer by design
  });

  it('dlq.rate, drain.stopped and queue.no_consumers: one outbox row per channel and episode', async () => {
    await env.db.pool.query(`DELETE FROM notification_channels`);
    const { rows } = await env.db.pool.query<{ id: string }>(
      `INSERT INTO notification_channels (kind, name, url, secret, events, rate_count, rate_minutes, drain_stopped_seconds, no_consumers_seconds, created_by)
       VALUES ('webhook', 'conditions', $1, 's', ARRAY['dlq.rate', 'drain.stopped', 'queue.no_consumers'], 10, 5, 30, 60, 'test') RETURNING id`,
      [receiver.url],
    );
    const channel = rows[0].id;
    await env.db.pool.query(
      `INSERT INTO event_minute_stats (minute, event_type, dead_lettered) VALUES (date_trunc('minute', now()), 'order.placed', 8), (date_trunc('minute', now()) - interval '2 minutes', 'user.created', 3)`,
    );
    let drain = { state: 'running', lastError: null as string | null };
    let queues = [{ name: 'billing', messages: 40, consumers: 0 }];
    const evaluator = createConditionEvaluator(env.db.pool, { drain: () => drain, queues: async () => queues }, pino({ level: 'silent' }));
    const t0 = new Date();
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    await evaluator.run(at(0));
    drain = { state: 'error', lastError: 'broker gone' };
    await evaluator.run(at(1));
    await evaluator.run(at(20)); // 19 s in error: not yet
    await evaluator.run(at(40)); // 39 s: drain.stopped
    await evaluator.run(at(50)); // the same episode: nothing new
    await evaluator.run(at(65)); // billing without consumer for 65 s: queue.no_consumers
    queues = [{ name: 'billing', messages: 40, consumers: 1 }];
    drain = { state: 'running', lastError: null };
    await evaluator.run(at(70));
    const { rows: events } = await env.db.pool.query<{ type: string; channel_id: string; payload: Record<string, Record<string, unknown>> }>(
      `SELECT type, channel_id, payload FROM notification_outbox WHERE type IN ('dlq.rate', 'drain.stopped', 'queue.no_consumers') ORDER BY created_at, type`,
    );
    const types = events.map((e) => e.type).sort();
    // dlq.rate: 11 in the last 5 minutes > 10; one per 5-minute window (at most two windows here)
    expect(types.filter((t) => t === 'dlq.rate').length).toBeGreaterThanOrEqual(1);
    expect(types.filter((t) => t === 'dlq.rate').length).toBeLessThanOrEqual(2);
    expect(types.filter((t) => t !== 'dlq.rate')).toEqual(['drain.stopped', 'queue.no_consumers']);
    expect(events.every((e) => e.channel_id === channel)).toBe(true);
    expect(events.find((e) => e.type === 'dlq.rate')!.payload.rate).toMatchObject({ count: 11, minutes: 5, threshold: 10 });
    expect(events.find((e) => e.type === 'drain.stopped')!.payload.drain).toMatchObject({ state: 'error', since: at(1).toISOString() });
    expect(events.find((e) => e.type === 'queue.no_consumers')!.payload.queue).toMatchObject({ name: 'billing', messages: 40, consumers: 0 });
    // a second evaluator (the duty moved) in the same dlq.rate window adds nothing
    const other = createConditionEvaluator(env.db.pool, { drain: () => drain, queues: async () => queues }, pino({ level: 'silent' }));
    const before = events.length;
    await other.run(at(70));
    const { rows: after } = await env.db.pool.query(`SELECT 1 FROM notification_outbox WHERE type IN ('dlq.rate', 'drain.stopped', 'queue.no_consumers')`);
    expect(after.length).toBe(before);
    // and the sender delivers them, with their shapes
    const got = await until(
      'condition deliveries',
      async () => receiver.requests.filter((r) => ['drain.stopped', 'queue.no_consumers', 'dlq.rate'].includes(r.event)),
      // each of the three (dlq.rate may come twice, in two windows, before the others)
      (r) => ['drain.stopped', 'queue.no_consumers', 'dlq.rate'].every((t) => r.some((x) => x.event === t)),
      {
        timeoutMs: 15_000,
        everyMs: 100,
      },
    );
    const q = got.find((r) => r.event === 'queue.no_consumers')!.body;
    expect(q).toMatchObject({ queue: { name: 'billing', messages: 40, consumers: 0 }, console: 'http://console.test:3000/queues' });
    expect(got.find((r) => r.event === 'drain.stopped')!.body).toMatchObject({ drain: { state: 'error', since: at(1).toISOString() } });
    expect(got.find((r) => r.event === 'dlq.rate')!.body).toMatchObject({ rate: { count: 11, minutes: 5 } });
  });
});

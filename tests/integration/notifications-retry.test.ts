// Notifications (issue 16): a receiver that answers 500 for a minute, then 200, gets the event
// once (one 2xx-answered request), with the same X-EventDesk-Delivery on every attempt and a
// valid signature each time; the delivery log shows every failed attempt. Backoff here is
// 1 s doubling to 4 s (NOTIFY_BACKOFF_BASE_MS / NOTIFY_BACKOFF_MAX_MS) so a minute takes a minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until';
import { call, routeEnv, type Handler, type RouteEnv } from './route-handlers';
import { quietSender, startReceiver, verifySignature, type Receiver } from './notifications-fixtures';

let env: RouteEnv;
let receiver: Receiver;
let sender: ReturnType<typeof quietSender> | undefined;
const DOWN_MS = 60_000;

beforeAll(async () => {
  env = await routeEnv('notify-retry');
  let firstAt = 0;
  receiver = await startReceiver(() => {
    firstAt ||= Date.now();
    return Date.now() - firstAt < DOWN_MS ? 500 : 200;
  });
});
afterAll(async () => {
  await sender?.stop();
  await receiver?.close();
  await env?.db.drop();
});

describe('a receiver down for a minute', () => {
  it('gets the event once, with one delivery id across retries, and the log shows the failures', async () => {
    const POST = (await import('@/app/api/notifications/channels/route')).POST as Handler;
    const created = await call(POST, 'POST', '/api/notifications/channels', {
      headers: env.tokens.admin,
      body: { kind: 'webhook', name: 'ops hook', url: receiver.url, events: ['group.new', 'group.reopened'] },
    });
    expect(created.status).toBe(201);
    const { item, secret } = (await created.json()) as { item: { id: string }; secret: string };
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    await env.db.pool.query(
      `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
       VALUES ('g-retry', 'order.placed', 'billing', 'rejected', 'TypeError: <n>', 7, 5, now(), now())`,
    );
    await env.db.pool.query(
      `INSERT INTO notification_outbox (type, event_type, group_id, dedupe_key, payload) VALUES ('group.new', 'order.placed', 'g-retry', 'group.new:g-retry', '{}')`,
    );
    sender = quietSender(env.db.url);

    const delivered = await until(
      'the delivery',
      async () => (await env.db.pool.query<{ status: string; attempts: number; id: string }>(`SELECT id, status, attempts FROM notification_deliveries`)).rows,
      (rows) => rows.length === 1 && rows[0].status === 'delivered',
      { timeoutMs: 90_000, everyMs: 250 },
    );
    const ok = receiver.requests.filter((r) => r.answered === 200);
    expect(ok).toHaveLength(1);
    const failed = receiver.requests.filter((r) => r.answered === 500);
    expect(failed.length).toBeGreaterThanOrEqual(10); // ~1 s, 2 s, then every 2-4 s for a minute
    expect(new Set(receiver.requests.map((r) => r.delivery))).toEqual(new Set([delivered[0].id]));
    expect(receiver.requests.every((r) => r.event === 'group.new' && verifySignature(secret, r))).toBe(true);
    expect(delivered[0].attempts).toBe(receiver.requests.length);
    // backoff: no attempt comes sooner than the base after the one before
    const gaps = receiver.requests.slice(1).map((r, i) => r.at - receiver.requests[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(400);

    const body = ok[0].body as { type: string; deliveryId: string; console: string; group: Record<string, unknown>; summary: string };
    expect(body.type).toBe('group.new');
    expect(body.deliveryId).toBe(delivered[0].id);
    expect(body.group).toMatchObject({ id: 'g-retry', eventType: 'order.placed', queue: 'billing', reason: 'rejected', count: 7, pendingCount: 5 });
    expect(body.console).toBe('http://console.test:3000/groups/g-retry');
    expect(body.summary).toContain('order.placed');

    // the log: every attempt, the failures with their status
    const { rows: attempts } = await env.db.pool.query<{ status_code: number; error: string | null }>(
      `SELECT status_code, error FROM notification_attempts WHERE delivery_id = $1 ORDER BY at, id`,
      [delivered[0].id],
    );
    expect(attempts.map((a) => a.status_code)).toEqual(receiver.requests.map((r) => r.answered));
    expect(attempts.slice(0, -1).every((a) => a.error === 'HTTP 500')).toBe(true);

    const GET = (await import('@/app/api/notifications/deliveries/route')).GET as Handler;
    const list = (await (await call(GET, 'GET', `/api/notifications/deliveries?channelId=${item.id}`, { headers: env.tokens.admin })).json()) as {
      items: { id: string; status: string; attempts: number; lastStatusCode: number }[];
    };
    expect(list.items).toEqual([expect.objectContaining({ id: delivered[0].id, status: 'delivered', attempts: attempts.length, lastStatusCode: 200 })]);
  }, 110_000);
});

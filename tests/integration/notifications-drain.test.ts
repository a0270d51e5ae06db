// Notifications end to end (issue 16): dead letters drained by TWO drainer processes, the
// notification senders of two processes, a local HTTP receiver. A flood of 5,000 dead letters of
// one new group makes exactly ONE group.new at the receiver, signed, within seconds; three other
// new groups one each; resolving the group and one more dead letter of it makes one
// group.reopened (status open, reopenedCount 1 in the body), never one per message.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../helpers/amqp';
import { until } from '../helpers/until';
import { dlqTopology, publishAll, queueDepth, waitFor } from './drain-helpers';
import { groupDeadLetter } from './drain-fixtures';
import { quietSender, startReceiver, verifySignature, type Receiver } from './notifications-fixtures';
import { call, routeEnv, type Handler, type RouteEnv } from './route-handlers';

let env: RouteEnv;
let broker: TestBroker;
let dlq: string;
let receiver: Receiver;
const senders: ReturnType<typeof quietSender>[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await routeEnv('notify-drain');
  broker = await createTestBroker();
  ({ dlq } = await dlqTopology(broker, 'notifydrain'));
  receiver = await startReceiver(() => 200);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of senders) await s.stop();
  await receiver?.close();
  await broker?.cleanup();
  await env?.db.drop();
});

function drainerProcess() {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(process.cwd(), 'scripts/run-drainer.ts'),
      JSON.stringify({ amqpUrl: broker.url, queue: dlq, databaseUrl: env.db.url, prefetch: 500, batchSize: 250 }),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'error' } },
  );
  children.push(child);
}

type Body = { type: string; deliveryId: string; group: { id: string; queue: string; status?: string; count: number }; console: string };
const received = (type: string) => receiver.requests.filter((r) => r.event === type).map((r) => ({ r, body: r.body as Body }));

describe('notifications from the real drain', () => {
  it('a flood of one new group notifies once; a regression once; two processes drain and send', async () => {
    const POST = (await import('@/app/api/notifications/channels/route')).POST as Handler;
    const created = await call(POST, 'POST', '/api/notifications/channels', {
      headers: env.tokens.admin,
      body: { kind: 'webhook', name: 'on call', url: receiver.url, events: ['group.new', 'group.reopened'] },
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    // two processes' senders (each claims under a lease; a delivery goes out once)
    senders.push(quietSender(env.db.url), quietSender(env.db.url));

    const flood = `flood-${randomUUID().slice(0, 8)}`;
    const others = [1, 2, 3].map((i) => `other-${i}-${randomUUID().slice(0, 8)}`);
    await publishAll(broker.connection, dlq, [
      ...Array.from({ length: 5000 }, () => groupDeadLetter(flood, 'Enrolment failed for student')),
      ...others.flatMap((q) => Array.from({ length: 20 }, () => groupDeadLetter(q, 'Timeout after'))),
    ]);
    const started = Date.now();
    drainerProcess();
    drainerProcess();
    await waitFor(async () => (await queueDepth(broker, dlq)) === 0, 60_000, 'the DLQ drained');
    const { rows: groups } = await env.db.pool.query<{ id: string; queue: string; count: number }>(`SELECT id, queue, count FROM failure_groups`);
    await waitFor(async () => (await env.db.pool.query(`SELECT sum(count)::int AS n FROM failure_groups`)).rows[0].n === 5060, 30_000, 'all deaths derived');

    const news = await until(
      'a group.new per group',
      async () => received('group.new'),
      (r) => r.length >= 4,
      { timeoutMs: 15_000, everyMs: 100 },
    );
    const floodAt = news.find((n) => n.body.group.queue === flood)?.r.at ?? Number.NaN;
    console.log(`notifications: the flood's group.new arrived ${((floodAt - started) / 1000).toFixed(1)} s after the drain started`);
    // a moment more: nothing else may arrive
    await new Promise((r) => setTimeout(r, 2000));
    const all = received('group.new');
    expect(all.map((n) => n.body.group.queue).sort()).toEqual([flood, ...others].sort());
    expect(all.every(({ r }) => verifySignature(secret, r))).toBe(true);
    expect(new Set(all.map(({ r }) => r.delivery)).size).toBe(4);
    const floodGroup = (await env.db.pool.query<{ id: string }>(`SELECT id FROM failure_groups WHERE queue = $1`, [flood])).rows[0];
    expect(floodGroup).toBeDefined();
    // at the receiver within 5 s of the group's creation (the event's outbox row, written by the
    // transaction that created the group)
    const { rows: event } = await env.db.pool.query<{ created_at: Date }>(`SELECT created_at FROM notification_outbox WHERE dedupe_key = $1`, [
      `group.new:${floodGroup.id}`,
    ]);
    console.log(`notifications: group created -> group.new received: ${floodAt - event[0].created_at.getTime()} ms`);
    expect(floodAt - event[0].created_at.getTime()).toBeLessThan(5000);
    expect(groups.length).toBeGreaterThan(0);

    // resolve it; one more dead letter of it reopens it: one group.reopened
    const PATCH = (await import('@/app/api/groups/[id]/route')).PATCH as unknown as Handler;
    const resolved = await call(PATCH, 'PATCH', `/api/groups/${floodGroup.id}`, {
      headers: env.tokens.operator,
      params: { id: floodGroup.id },
      body: { status: 'resolved', reason: 'fixed in 2.3.1' },
    });
    expect(resolved.status).toBe(200);
    await publishAll(
      broker.connection,
      dlq,
      Array.from({ length: 3 }, () => groupDeadLetter(flood, 'Enrolment failed for student')),
    );
    const reopened = await until(
      'one group.reopened',
      async () => received('group.reopened'),
      (r) => r.length >= 1,
      { timeoutMs: 20_000, everyMs: 100 },
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(received('group.reopened')).toHaveLength(1);
    expect(reopened[0].body.group).toMatchObject({ id: floodGroup.id, status: 'open' });
    expect(reopened[0].body.console).toMatch(new RegExp(`/groups/${floodGroup.id}$`));
    expect(verifySignature(secret, reopened[0].r)).toBe(true);
    const { rows } = await env.db.pool.query<{ status: string; reopened_count: number }>(`SELECT status, reopened_count FROM failure_groups WHERE id = $1`, [
      floodGroup.id,
    ]);
    expect(rows[0]).toEqual({ status: 'open', reopened_count: 1 });
  }, 180_000);
});

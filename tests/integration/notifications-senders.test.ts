// Notifications (issue 16) with two EventDesk processes sending at once: each event reaches each
// subscribed channel once. Both processes fan out the same outbox and claim the same deliveries
// (SKIP LOCKED, leases); the receiver fails a quarter of the requests so retries interleave too.
// Every delivery id gets exactly one 2xx-answered request, and no request comes for a delivery
// that was already answered 2xx.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { until } from '../helpers/until';
import { startReceiver, verifySignature, type Receiver } from './notifications-fixtures';

let db: TestDatabase;
let receiver: Receiver;
const children: { proc: ChildProcess; output: string }[] = [];
const SECRET = 'a'.repeat(64);
const EVENTS = 300;

async function writeEvents(from: number, to: number) {
  await db.pool.query(
    `INSERT INTO notification_outbox (type, event_type, group_id, dedupe_key)
     SELECT 'group.new', 'order.placed', 'g-' || i, 'group.new:g-' || i FROM generate_series($1::int, $2::int) AS i`,
    [from, to],
  );
}

beforeAll(async () => {
  db = await createTestDatabase('notify-senders');
  let n = 0;
  receiver = await startReceiver(async () => {
    await new Promise((r) => setTimeout(r, Math.random() * 20));
    return ++n % 4 === 0 ? 503 : 200;
  });
  for (const name of ['first', 'second'])
    await db.pool.query(
      `INSERT INTO notification_channels (kind, name, url, secret, events, created_by) VALUES ('webhook', $1, $2, $3, ARRAY['group.new'], 'test')`,
      [name, receiver.url, SECRET],
    );
  // a disabled channel and one filtered to another event type get nothing
  await db.pool.query(
    `INSERT INTO notification_channels (kind, name, url, secret, events, enabled, created_by) VALUES ('webhook', 'off', $1, $2, ARRAY['group.new'], false, 'test')`,
    [receiver.url, SECRET],
  );
  await db.pool.query(
    `INSERT INTO notification_channels (kind, name, url, secret, events, event_types, created_by) VALUES ('webhook', 'other type', $1, $2, ARRAY['group.new'], ARRAY['user.created'], 'test')`,
    [receiver.url, SECRET],
  );
  await writeEvents(1, EVENTS / 2);
  for (let i = 0; i < 2; i++) {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'notifications-sender-child.ts')], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        NOTIFY_BACKOFF_BASE_MS: '200',
        NOTIFY_BACKOFF_MAX_MS: '1000',
        NOTIFY_TIMEOUT_MS: '3000',
        NEXTAUTH_URL: 'http://console.test:3000',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = { proc, output: '' };
    proc.stdout.on('data', (d: Buffer) => (child.output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (child.output += d.toString()));
    children.push(child);
  }
  await until(
    'both senders started',
    async () => children.map((c) => c.output),
    (o) => o.every((s) => s.includes('sender started')),
    { timeoutMs: 30_000, everyMs: 100 },
  );
}, 60_000);

afterAll(async () => {
  for (const c of children) c.proc.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.proc.exitCode !== null ? r(null) : c.proc.once('exit', r)))));
  await receiver?.close();
  await db?.drop();
});

describe('two processes sending', () => {
  it('deliver each event once per subscribed channel', async () => {
    // the rest while both run
    for (let i = EVENTS / 2 + 1; i <= EVENTS; i += 30) await writeEvents(i, Math.min(EVENTS, i + 29));
    const expected = EVENTS * 2;
    await until(
      'every delivery delivered',
      async () =>
        (
          await db.pool.query<{ delivered: number; total: number }>(
            `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*)::int AS total FROM notification_deliveries`,
          )
        ).rows[0],
      (r) => r.delivered === expected,
      { timeoutMs: 60_000, everyMs: 250 },
    );
    // what is left in flight settles (an extra request would show up here)
    await new Promise((r) => setTimeout(r, 1500));
    const { rows } = await db.pool.query<{ total: number; attempts: number; undispatched: number }>(
      `SELECT (SELECT count(*)::int FROM notification_deliveries) AS total,
              (SELECT sum(attempts)::int FROM notification_deliveries) AS attempts,
              (SELECT count(*)::int FROM notification_outbox WHERE dispatched_at IS NULL) AS undispatched`,
    );
    expect(rows[0]).toEqual({ total: expected, attempts: receiver.requests.length, undispatched: 0 });

    const okPerDelivery = new Map<string, number>();
    const firstOkAt = new Map<string, number>();
    for (const r of receiver.requests) {
      if (r.answered !== 200) continue;
      okPerDelivery.set(r.delivery, (okPerDelivery.get(r.delivery) ?? 0) + 1);
      if (!firstOkAt.has(r.delivery)) firstOkAt.set(r.delivery, r.at);
    }
    expect(okPerDelivery.size).toBe(expected);
    expect([...okPerDelivery.values()].every((n) => n === 1)).toBe(true);
    expect(receiver.requests.filter((r) => r.answered !== 200 && (firstOkAt.get(r.delivery) ?? Infinity) < r.at)).toEqual([]);
    expect(receiver.requests.filter((r) => r.answered === 503).length).toBeGreaterThan(0);
    expect(receiver.requests.every((r) => verifySignature(SECRET, r))).toBe(true);
    // each group's event reached the two subscribed channels, no other
    const perGroup = new Map<string, number>();
    for (const r of receiver.requests)
      if (r.answered === 200) perGroup.set(String((r.body.group as { id: string }).id), (perGroup.get(String((r.body.group as { id: string }).id)) ?? 0) + 1);
    expect(perGroup.size).toBe(EVENTS);
    expect([...perGroup.values()].every((n) => n === 2)).toBe(true);
    // both processes did part of the work (each logged some of the failed attempts)
    expect(children.every((c) => c.output.includes('notification attempt failed'))).toBe(true);
  }, 90_000);
});

// POST /api/dead-letters/:id/republish with each refused target: 400 in the error envelope with
// the field and why; nothing sent, the record unchanged. The route handler is called directly
// (parse -> authorise -> engine), against the real database and broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { bearer, createTestToken } from '../helpers/auth';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { recordState, seedDeadLetters } from './republish-fixtures';

type Post = (request: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

describe('republish target API refusals', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let post: Post;
  let auth: Record<string, string>;
  let queue: string;
  let ledger: string;
  const dlq = uniqueName('api.dlq');

  beforeAll(async () => {
    db = await createTestDatabase('republish_target_api');
    broker = await createTestBroker();
    ledger = uniqueName('api.ledger');
    broker.track('queue', ledger);
    queue = await broker.queue(uniqueName('api.origin'));
    await broker.queue(dlq);
    Object.assign(process.env, { DATABASE_URL: db.url, AMQP_URL: broker.url, REPUBLISH_LEDGER_QUEUE: ledger, DLQ_QUEUE: dlq, LOG_LEVEL: 'silent' });
    (globalThis as { __eventdeskEnv?: unknown }).__eventdeskEnv = undefined;
    post = (await import('@/app/api/dead-letters/[id]/republish/route')).POST;
    auth = bearer(await createTestToken(db.url, 'operator'));
  });

  afterAll(async () => {
    const { getRepublishRuntime } = await import('@/lib/actions/runtime');
    await getRepublishRuntime().close();
    const { prisma } = await import('@/lib/server/db');
    await prisma.$disconnect();
    await broker?.cleanup();
    await db?.drop();
  });

  async function republish(
    id: string,
    body: unknown,
  ): Promise<{ status: number; body: { error?: { code: string; message: string; details: { field: string; message: string }[] } } }> {
    const res = await post(
      new Request(`http://localhost/api/dead-letters/${id}/republish`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({ id }) },
    );
    return { status: res.status, body: await res.json() };
  }

  const refused: [string, unknown, string, RegExp][] = [
    ['amq.rabbitmq.trace', { kind: 'exchange', exchange: 'amq.rabbitmq.trace', routingKey: 'publish.x' }, 'target.exchange', /broker's own/],
    ['amq.direct', { kind: 'exchange', exchange: 'amq.direct', routingKey: 'x' }, 'target.exchange', /broker's own/],
    ['amq.rabbitmq.reply-to', { kind: 'exchange', exchange: '', routingKey: 'amq.rabbitmq.reply-to' }, 'target.routingKey', /nobody consumes/],
    ['an empty queue name', { kind: 'exchange', exchange: '', routingKey: '' }, 'target.routingKey', /required/],
    ['a 400-byte multibyte routing key', { kind: 'exchange', exchange: 'edu.events', routingKey: 'ü'.repeat(200) }, 'target.routingKey', /400 bytes in UTF-8/],
    ['a 256-byte exchange name', { kind: 'exchange', exchange: 'x'.repeat(256), routingKey: 'k' }, 'target.exchange', /255/],
    ["EventDesk's tap queue", { kind: 'exchange', exchange: '', routingKey: 'eventdesk.tap.edu.events' }, 'target.routingKey', /EventDesk's own/],
    ["EventDesk's parking queue", { kind: 'exchange', exchange: '', routingKey: 'eventdesk.parked.edu.events.dlq' }, 'target.routingKey', /EventDesk's own/],
    ["EventDesk's exchange", { kind: 'exchange', exchange: 'eventdesk.x', routingKey: 'k' }, 'target.exchange', /EventDesk's own/],
    ['a dead-letter exchange', { kind: 'exchange', exchange: 'edu.events.dlx', routingKey: 'k' }, 'target.exchange', /dead-letter exchange/],
  ];

  for (const [name, target, field, why] of refused) {
    it(`refuses ${name} with 400 on ${field}`, async () => {
      const { ids } = await seedDeadLetters(db.pool, { queue });
      const res = await republish(ids[0], { target, reason: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('invalid_request');
      expect(res.body.error?.details).toEqual([expect.objectContaining({ field, message: expect.stringMatching(why) })]);
      expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });
    });
  }

  it("refuses this install's ledger queue and DLQ (names from the settings) with 400 on target.routingKey", async () => {
    for (const name of [ledger, dlq]) {
      const { ids } = await seedDeadLetters(db.pool, { queue });
      const res = await republish(ids[0], { target: { kind: 'exchange', exchange: '', routingKey: name }, reason: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.error?.details).toEqual([expect.objectContaining({ field: 'target.routingKey' })]);
    }
    expect((await broker.channel.checkQueue(dlq)).messageCount).toBe(0);
  });

  it('refuses an origin that is the DLQ itself with 400 on target', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: dlq });
    const res = await republish(ids[0], { reason: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error?.details).toEqual([expect.objectContaining({ field: 'target', message: expect.stringMatching(/dead-letter queue/) })]);
  });

  it('still republishes to an ordinary queue', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const res = await republish(ids[0], { target: { kind: 'exchange', exchange: '', routingKey: queue }, reason: 'x' });
    expect(res.status).toBe(200);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
  });

  it('bulk pause of a job row-locked by a stuck session: 409 busy after the lock timeout', async () => {
    const { controlBulkJob } = await import('@/lib/actions/control-bulk-job');
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO "bulk_jobs" ("action", "selection", "reason", "actor", "rate_per_second") VALUES ('republish', '{}', 'x', 'olivia', 0) RETURNING "id"`,
    );
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "bulk_jobs" WHERE "id" = $1 FOR UPDATE`, [rows[0].id]);
      const started = Date.now();
      const err = await controlBulkJob({ name: 'olivia', role: 'operator' }, { id: rows[0].id, control: 'pause' }).catch((e) => e);
      expect(err.kind).toBe('conflict');
      expect(err.details).toMatchObject({ reason: 'busy' });
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });
});

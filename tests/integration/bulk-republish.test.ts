// Bulk republish through the job table and the background runner: a group of 1,000 republished
// once each; an item held by another in-flight republish waits for it; cancel mid-way leaves the
// rest pending; auto-pause when replays keep dying.
// The "consumer keeps failing" case stands in for the drain with SQL that does what the drain
// does to a record that comes back (status pending again, attempts + 1, history failed-again).
import type { ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { until } from '../helpers/until';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { copiesByDeadLetter, insertIntent, seedDeadLetters, testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const, kind: 'user' as const };
const admin = { name: 'ada@example.com', role: 'admin' as const, kind: 'user' as const };

type Server = {
  createBulkJob: typeof import('@/lib/actions/create-bulk-job').createBulkJob;
  getBulkJob: typeof import('@/lib/server/bulk/get-bulk-job').getBulkJob;
  controlBulkJob: typeof import('@/lib/actions/control-bulk-job').controlBulkJob;
};

describe('bulk republish', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let runner: BulkRunner;
  let server: Server;

  beforeAll(async () => {
    db = await createTestDatabase('bulk_republish');
    db.pool.on('error', () => {}); // the fake drain's connections may still be open at drop()
    process.env.DATABASE_URL = db.url; // the server modules' Prisma client
    broker = await createTestBroker();
    const ledger = uniqueName('bulk.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
    // batches of at most 200: a job of 1,000 at an unlimited rate then runs the whole pipeline
    // (batches growing from 25, claims ahead, two settles in flight, batches shrinking at the end)
    runner = new BulkRunner(rt, { pollMs: 100, returnCheckEveryMs: 200, maxBatch: 200 }).start();
    server = {
      createBulkJob: (await import('@/lib/actions/create-bulk-job')).createBulkJob,
      getBulkJob: (await import('@/lib/server/bulk/get-bulk-job')).getBulkJob,
      controlBulkJob: (await import('@/lib/actions/control-bulk-job')).controlBulkJob,
    };
  });

  afterAll(async () => {
    await runner?.stop();
    await rt?.close();
    const { prisma } = await import('@/lib/server/db');
    await prisma.$disconnect();
    await broker?.cleanup();
    await db?.drop();
  });

  it('republishes a group of 1,000 once each, after a dry run and a typed count', async () => {
    const queue = await broker.queue(uniqueName('bulk.group'));
    const { ids, groupId } = await seedDeadLetters(db.pool, { queue, count: 1000 });
    const dry = await server.createBulkJob(operator, { action: 'republish', selection: { groupId }, reason: 'bug fixed', dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, count: 1000 });
    expect('sample' in dry && dry.sample).toHaveLength(10);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0);

    const unconfirmed = await server
      .createBulkJob(operator, { action: 'republish', selection: { groupId }, reason: 'bug fixed', ratePerSecond: 0 })
      .catch((e) => e);
    expect(unconfirmed.kind).toBe('conflict');
    expect(unconfirmed.details).toMatchObject({ reason: 'confirm-count', count: 1000 });

    const created = await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'bug fixed',
      ratePerSecond: 0,
      expectedCount: 1000,
    });
    expect('jobId' in created).toBe(true);
    const jobId = (created as { jobId: string }).jobId;
    runner.poke();
    const job = await until(
      'the job to finish',
      () => server.getBulkJob(jobId),
      (j) => j.status === 'done',
    );
    expect(job).toMatchObject({ total: 1000, succeeded: 1000, failed: 0, skipped: 0, remaining: 0 });

    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1000);
    const seen = await copiesByDeadLetter(broker.channel, queue);
    expect(seen.size).toBe(1000);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(ids)).toEqual(new Set(seen.keys()));
    const { rows } = await db.pool.query(
      `SELECT count(*) FILTER (WHERE "status" = 'republished')::int AS republished, max("republish_count")::int AS max,
              (SELECT "pending_count" FROM "failure_groups" WHERE "id" = $1) AS pending
       FROM "dead_letters" WHERE "group_id" = $1`,
      [groupId],
    );
    expect(rows[0]).toEqual({ republished: 1000, max: 1, pending: 0 });
    const { rows: audit } = await db.pool.query(`SELECT "action" FROM "audit_log" WHERE "target" = $1 ORDER BY "id"`, [`bulk-job:${jobId}`]);
    expect(audit.map((a) => a.action)).toEqual(['bulk-create', 'bulk-finish']);
  });

  it('leaves an item whose record is being republished elsewhere, and sends it once that is over', async () => {
    const queue = await broker.queue(uniqueName('bulk.held'));
    const { ids, groupId } = await seedDeadLetters(db.pool, { queue, count: 300 });
    // a single retry of the oldest record (the job's first item) in flight in another process
    const held = await insertIntent(db.pool, { deadLetterId: ids[0], queue, owner: 'another-process', actor: 'someone@example.com' });
    const { jobId } = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'bug fixed',
      ratePerSecond: 0,
      expectedCount: 300,
    })) as { jobId: string };
    runner.poke();
    await until(
      'every other item',
      () => server.getBulkJob(jobId),
      (j) => j.succeeded === 299,
    );
    await new Promise((r) => setTimeout(r, 500)); // several passes of the runner over the items
    const waiting = await server.getBulkJob(jobId);
    expect(waiting).toMatchObject({ status: 'running', succeeded: 299, failed: 0, skipped: 0, remaining: 1 });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(299);

    // the other retry never reached the broker: its intent closes, the record is pending again
    await db.pool.query(`UPDATE "republish_intents" SET "state" = 'failed', "settled_at" = now() WHERE "id" = $1`, [held]);
    const job = await until(
      'the job to finish',
      () => server.getBulkJob(jobId),
      (j) => j.status === 'done',
    );
    expect(job).toMatchObject({ total: 300, succeeded: 300, failed: 0, skipped: 0, remaining: 0 });
    const seen = await copiesByDeadLetter(broker.channel, queue);
    expect(seen.size).toBe(300);
    expect(seen.get(ids[0])).toBe(1);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('sends binary bodies byte for byte and counts republishes past 127 (forced over the limit)', async () => {
    const queue = await broker.queue(uniqueName('bulk.bytes'));
    // not UTF-8 (a gzip header, 0xff, 0x80): any text round trip would garble it
    const bytes = (i: number) => Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x80, 0x41, i]);
    const { groupId } = await seedDeadLetters(db.pool, { queue, count: 30, republishCount: 200, body: (i) => bytes(i) });
    const { jobId } = (await server.createBulkJob(admin, {
      action: 'republish',
      selection: { groupId },
      reason: 'forced replay',
      ratePerSecond: 0,
      force: true,
    })) as { jobId: string };
    runner.poke();
    const job = await until(
      'the job to finish',
      () => server.getBulkJob(jobId),
      (j) => j.status === 'done',
    );
    expect(job).toMatchObject({ succeeded: 30, failed: 0, skipped: 0 });
    const bodies = new Set<string>();
    for (;;) {
      const m = await broker.channel.get(queue, { noAck: true });
      if (!m) break;
      expect(m.properties.headers!['x-eventdesk-republish-count']).toBe(201);
      bodies.add(m.content.toString('hex'));
    }
    expect(bodies).toEqual(new Set(Array.from({ length: 30 }, (_, i) => bytes(i).toString('hex'))));
  });

  it('bounds a batch by its bodies: four bodies of 12 MB go two by two (a batch of 5,000 read every body at once)', async () => {
    const queue = await broker.queue(uniqueName('bulk.heavy'));
    const body = (i: number) => Buffer.alloc(12 * 1024 * 1024, 97 + i);
    const { ids, groupId } = await seedDeadLetters(db.pool, { queue, count: 4, body });
    const { jobId } = (await server.createBulkJob(operator, { action: 'republish', selection: { groupId }, reason: 'big ones', ratePerSecond: 0 })) as {
      jobId: string;
    };
    runner.poke();
    const job = await until(
      'the job to finish',
      () => server.getBulkJob(jobId),
      (j) => j.status === 'done',
    );
    expect(job).toMatchObject({ total: 4, succeeded: 4, failed: 0, skipped: 0 });
    // each batch's intents are written by its claim, in one transaction: one time each
    const { rows } = await db.pool.query(`SELECT count(DISTINCT "created_at")::int AS batches FROM "republish_intents" WHERE "bulk_job_id" = $1`, [jobId]);
    expect(rows[0].batches).toBe(2);
    const sent = new Map<string, Buffer>();
    for (;;) {
      const m = await broker.channel.get(queue, { noAck: true });
      if (!m) break;
      sent.set(String(m.properties.headers!['x-eventdesk-dead-letter-id']), m.content);
    }
    expect([...sent.keys()].sort()).toEqual([...ids].sort());
    ids.forEach((id, i) => expect(sent.get(id)!.equals(body(i))).toBe(true));
  });

  it('cancel mid-way leaves the rest pending', async () => {
    const queue = await broker.queue(uniqueName('bulk.cancel'));
    const { groupId } = await seedDeadLetters(db.pool, { queue, count: 100 });
    const { jobId } = (await server.createBulkJob(operator, { action: 'republish', selection: { groupId }, reason: 'slowly', ratePerSecond: 20 })) as {
      jobId: string;
    };
    runner.poke();
    await until(
      'some progress',
      () => server.getBulkJob(jobId),
      (j) => j.succeeded >= 10,
    );
    await server.controlBulkJob(operator, { id: jobId, control: 'cancel' });
    // the batch in flight finishes; then nothing moves any more
    await new Promise((r) => setTimeout(r, 1000));
    const a = await server.getBulkJob(jobId);
    await new Promise((r) => setTimeout(r, 1000));
    const b = await server.getBulkJob(jobId);
    expect(b.status).toBe('cancelled');
    expect(b.succeeded).toBe(a.succeeded);
    expect(b.succeeded).toBeLessThan(100);
    const { rows } = await db.pool.query(
      `SELECT count(*) FILTER (WHERE "status" = 'pending')::int AS pending, count(*) FILTER (WHERE "status" = 'republished')::int AS republished
       FROM "dead_letters" WHERE "group_id" = $1`,
      [groupId],
    );
    expect(rows[0]).toEqual({ pending: 100 - b.succeeded, republished: b.succeeded });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(b.succeeded);
    const again = await server.controlBulkJob(operator, { id: jobId, control: 'resume' }).catch((e) => e);
    expect(again.kind).toBe('conflict');
  });

  it('discards a selection of ids in bulk, sending nothing', async () => {
    const queue = await broker.queue(uniqueName('bulk.discard'));
    const { ids, groupId } = await seedDeadLetters(db.pool, { queue, count: 20 });
    const { jobId } = (await server.createBulkJob(operator, { action: 'discard', selection: { ids: ids.slice(0, 15) }, reason: 'test traffic' })) as {
      jobId: string;
    };
    runner.poke();
    const job = await until(
      'the discard job',
      () => server.getBulkJob(jobId),
      (j) => j.status === 'done',
    );
    expect(job).toMatchObject({ total: 15, succeeded: 15, failed: 0, skipped: 0 });
    const { rows } = await db.pool.query(
      `SELECT count(*) FILTER (WHERE "status" = 'discarded')::int AS discarded, count(*) FILTER (WHERE "status" = 'pending')::int AS pending,
              (SELECT "pending_count" FROM "failure_groups" WHERE "id" = $1) AS "pendingCount"
       FROM "dead_letters" WHERE "group_id" = $1`,
      [groupId],
    );
    expect(rows[0]).toEqual({ discarded: 15, pending: 5, pendingCount: 5 });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0);
  });

  it('pauses itself when the replayed messages keep dying', async () => {
    const queue = await broker.queue(uniqueName('bulk.failing'));
    const { groupId } = await seedDeadLetters(db.pool, { queue, count: 200 });
    // the consumer that still fails, and the drain bringing each one back
    const consumer = await broker.connection.createChannel();
    // the channel closes when the job has paused, maybe while a delivery is still being handled:
    // that one is neither acked nor lost (the queue is deleted at the end)
    let closing = false;
    await consumer.consume(queue, async (m: ConsumeMessage | null) => {
      if (!m || closing) return;
      const id = String(m.properties.headers!['x-eventdesk-dead-letter-id']);
      // as lib/bus/derive-records.ts does: pending again, attempts + 1, the group's pending count
      // up only if it was not pending already (it may come back before the republish commits)
      await db.pool.query(
        `WITH cur AS (SELECT "id", "status", "group_id" FROM "dead_letters" WHERE "id" = $1 FOR UPDATE)
         , d AS (UPDATE "dead_letters" SET "status" = 'pending', "attempts" = "attempts" + 1 WHERE "id" IN (SELECT "id" FROM cur) RETURNING "id")
         , g AS (UPDATE "failure_groups" SET "pending_count" = "pending_count" + 1 WHERE "id" IN (SELECT "group_id" FROM cur WHERE "status" <> 'pending'))
         INSERT INTO "dead_letter_history" ("dead_letter_id", "action", "actor") SELECT "id", 'failed-again', 'drain' FROM d`,
        [id],
      );
      if (!closing) consumer.ack(m);
    });
    const { jobId } = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'try again',
      ratePerSecond: 40,
      expectedCount: 200,
    })) as { jobId: string };
    runner.poke();
    const job = await until(
      'the auto-pause',
      () => server.getBulkJob(jobId),
      (j) => j.status === 'paused' || j.status === 'done',
    );
    closing = true;
    await consumer.close();
    const { rows: counts } = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM "dead_letters" WHERE "group_id" = $1 AND "status" = 'pending') AS pending,
              (SELECT "pending_count" FROM "failure_groups" WHERE "id" = $1) AS "pendingCount"`,
      [groupId],
    );
    expect(counts[0].pendingCount).toBe(counts[0].pending);
    expect(job.status).toBe('paused');
    expect(job.pauseReason).toMatch(/Auto-paused: \d+ of \d+ republished messages died again/);
    expect(job.returned).toBeGreaterThanOrEqual(5);
    expect(job.remaining).toBeGreaterThan(0);
    const { rows } = await db.pool.query(`SELECT "action", "actor" FROM "audit_log" WHERE "target" = $1 AND "action" = 'bulk-auto-pause'`, [
      `bulk-job:${jobId}`,
    ]);
    expect(rows).toEqual([{ action: 'bulk-auto-pause', actor: 'system' }]);
    await server.controlBulkJob(operator, { id: jobId, control: 'cancel' });
  });
});

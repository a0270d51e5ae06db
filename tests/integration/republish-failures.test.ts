// Broker down, target missing, unroutable: a clear error, nothing sent, the record unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import { until } from '../helpers/until';
import { createGroupJob, recordState, seedDeadLetters, testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('republish failures change nothing', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let down: RepublishRuntime;
  let ledger: string;

  beforeAll(async () => {
    db = await createTestDatabase('republish_fail');
    broker = await createTestBroker();
    ledger = uniqueName('republish.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
    // nothing listens on port 1: the broker is "down" for this runtime
    down = testRuntime(db.url, 'amqp://guest:guest@127.0.0.1:1', ledger);
  });

  afterAll(async () => {
    await rt?.close();
    await down?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  async function unchanged(id: string) {
    expect(await recordState(db.pool, id)).toMatchObject({ status: 'pending', republish_count: 0, pending_count: 1 });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "audit_log" WHERE "target" = $1`, [`dead-letter:${id}`]);
    expect(rows[0].n).toBe(0);
    const { rows: pending } = await db.pool.query(`SELECT count(*)::int AS n FROM "republish_intents" WHERE "dead_letter_id" = $1 AND "state" = 'pending'`, [
      id,
    ]);
    expect(pending[0].n).toBe(0);
  }

  it('answers 503 when the broker is down', async () => {
    const queue = await broker.queue(uniqueName('republish.down'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const err = await republishOne(down, { deadLetterId: ids[0], actor: operator, reason: 'x' }).catch((e) => e);
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/broker/i);
    await unchanged(ids[0]);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0);
  });

  // A stored property over AMQP's 255 bytes (a messageId whose invalid UTF-8 was replaced when
  // it was read grows 3x): amqplib refuses to encode it and nothing is written. It used to come
  // back as an unknown outcome: recovery abandoned it, and a bulk job took it again forever.
  const tooLong = 'x'.repeat(300);

  it('answers 422 unencodable for a message amqplib cannot write, and the channel goes on', async () => {
    const queue = await broker.queue(uniqueName('republish.unencodable'));
    const { ids } = await seedDeadLetters(db.pool, { queue, count: 2, messageId: (i, eventId) => (i === 0 ? tooLong : `msg-${eventId}`) });
    const err = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'x' }).catch((e) => e);
    expect(err.kind).toBe('unprocessable');
    expect(err.details).toMatchObject({ reason: 'unencodable' });
    expect(err.message).toMatch(/cannot be encoded/);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });
    const { rows } = await db.pool.query(`SELECT "state", "error" FROM "republish_intents" WHERE "dead_letter_id" = $1`, [ids[0]]);
    expect(rows).toEqual([{ state: 'failed', error: expect.stringMatching(/cannot be encoded/) }]);
    // the next republish, on the same publishing channel, goes out
    await republishOne(rt, { deadLetterId: ids[1], actor: operator, reason: 'x' });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
  });

  it('a bulk job fails such a message for good and finishes, the rest sent', async () => {
    const queue = await broker.queue(uniqueName('republish.unencodable.bulk'));
    const { ids, groupId } = await seedDeadLetters(db.pool, { queue, count: 20, messageId: (i, eventId) => (i === 7 ? tooLong : `msg-${eventId}`) });
    const { jobId } = await createGroupJob(db.pool, { groupId, ratePerSecond: 0 });
    const runner = new BulkRunner(rt, { pollMs: 50, maxBatch: 8 }).start();
    try {
      const job = await until(
        'the job to finish',
        async () => (await db.pool.query(`SELECT "status", "succeeded", "failed", "skipped" FROM "bulk_jobs" WHERE "id" = $1`, [jobId])).rows[0],
        (j) => j.status === 'done',
        { timeoutMs: 30_000 },
      );
      expect(job).toMatchObject({ succeeded: 19, failed: 1, skipped: 0 });
    } finally {
      await runner.stop();
    }
    const { rows: items } = await db.pool.query(`SELECT "dead_letter_id", "state", "error" FROM "bulk_job_items" WHERE "job_id" = $1 AND "state" <> 'done'`, [
      jobId,
    ]);
    expect(items).toEqual([{ dead_letter_id: ids[7], state: 'failed', error: expect.stringMatching(/cannot be encoded/) }]);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(19);
    expect(await recordState(db.pool, ids[7])).toMatchObject({ status: 'pending', republish_count: 0 });
  });

  it('answers 409 naming the queue when the origin queue does not exist', async () => {
    const gone = uniqueName('republish.gone');
    const { ids } = await seedDeadLetters(db.pool, { queue: gone });
    const err = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'x' }).catch((e) => e);
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain(gone);
    expect(err.details.reason).toBe('unroutable');
    await unchanged(ids[0]);
  });

  it('reports an unroutable exchange publish (basic.return) and keeps the record pending', async () => {
    const queue = await broker.queue(uniqueName('republish.unroutable'));
    const exchange = await broker.exchange(uniqueName('republish.ex'), 'topic');
    const { ids } = await seedDeadLetters(db.pool, { queue, exchange });
    const err = await republishOne(rt, {
      deadLetterId: ids[0],
      actor: operator,
      reason: 'x',
      target: { kind: 'exchange', exchange, routingKey: 'nobody.listens' },
    }).catch((e) => e);
    expect(err.kind).toBe('conflict');
    expect(err.details.reason).toBe('unroutable');
    await unchanged(ids[0]);
    const { rows } = await db.pool.query(`SELECT "state" FROM "republish_intents" WHERE "dead_letter_id" = $1`, [ids[0]]);
    expect(rows).toEqual([{ state: 'failed' }]);
    // and the record can still be republished normally afterwards
    const ok = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'to origin' });
    expect(ok.status).toBe('republished');
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
  });

  it('answers 409 for a missing exchange target', async () => {
    const queue = await broker.queue(uniqueName('republish.noex'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const err = await republishOne(rt, {
      deadLetterId: ids[0],
      actor: operator,
      reason: 'x',
      target: { kind: 'exchange', exchange: uniqueName('missing.ex'), routingKey: 'a' },
    }).catch((e) => e);
    expect(err.kind).toBe('conflict');
    await unchanged(ids[0]);
  });
});

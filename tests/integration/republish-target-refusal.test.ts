// A target that makes the broker close the channel (amq.rabbitmq.trace, or any internal
// exchange) answers 400 target.exchange, leaves the record pending and unlocked, and later
// republishes succeed: the publishing channel is reopened when the broker closes it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import { buildRepublishMessage } from '@/lib/bus/republish-message';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGroupJob, recordState, seedDeadLetters, testRuntime } from './republish-fixtures';
import { until } from '../helpers/until';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('republish target refusal', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;

  beforeAll(async () => {
    db = await createTestDatabase('republish_refusal');
    broker = await createTestBroker();
    const ledger = uniqueName('refusal.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
  });

  afterAll(async () => {
    await rt?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  async function pendingIntents(id: string): Promise<number> {
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "republish_intents" WHERE "dead_letter_id" = $1 AND "state" = 'pending'`, [id]);
    return rows[0].n;
  }

  it('amq.rabbitmq.trace republish -> 400 target.exchange, then a normal republish succeeds', async () => {
    const queue = await broker.queue(uniqueName('refusal.trace'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const err = await republishOne(rt, {
      deadLetterId: ids[0],
      actor: operator,
      reason: 'x',
      target: { kind: 'exchange', exchange: 'amq.rabbitmq.trace', routingKey: 'publish.x' },
    }).catch((e) => e);
    expect(err.kind).toBe('invalid');
    expect(err.details).toEqual([expect.objectContaining({ field: 'target.exchange' })]);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });
    expect(await pendingIntents(ids[0])).toBe(0);
    const ok = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'to origin' });
    expect(ok.status).toBe('republished');
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
  });

  it('an internal exchange the broker refuses -> 400 target.exchange, intent failed, record not locked', async () => {
    const queue = await broker.queue(uniqueName('refusal.internal'));
    const internal = await broker.exchange(uniqueName('refusal.internal.ex'), 'topic', { internal: true });
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const started = Date.now();
    const err = await republishOne(rt, {
      deadLetterId: ids[0],
      actor: operator,
      reason: 'x',
      target: { kind: 'exchange', exchange: internal, routingKey: 'user.created' },
    }).catch((e) => e);
    expect(err.kind).toBe('invalid');
    expect(err.details).toEqual([expect.objectContaining({ field: 'target.exchange', message: expect.stringMatching(/internal|ACCESS_REFUSED/i) })]);
    expect(Date.now() - started).toBeLessThan(5000);
    const { rows } = await db.pool.query(`SELECT "state" FROM "republish_intents" WHERE "dead_letter_id" = $1`, [ids[0]]);
    expect(rows).toEqual([{ state: 'failed' }]);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });
    // not locked: the next republish goes through at once
    expect((await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'to origin' })).status).toBe('republished');
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
  });

  it('the shared publishing channel closed by the broker is reopened: later republishes succeed', async () => {
    const queue = await broker.queue(uniqueName('refusal.reopen'));
    const internal = await broker.exchange(uniqueName('refusal.reopen.ex'), 'topic', { internal: true });
    const { ids, bodies } = await seedDeadLetters(db.pool, { queue, count: 3 });
    // straight on the shared confirm channel: the broker closes it (403)
    const message = buildRepublishMessage(
      { body: bodies[0], properties: {}, headers: {} },
      { deadLetterId: ids[0], republishNumber: 1, intentId: randomUUID(), editedBody: null },
    );
    const [outcome] = await rt.publisher.publishAll([{ intentId: randomUUID(), exchange: internal, routingKey: 'k', message, ledger: false }]);
    expect(outcome).toBe('unknown');
    for (const id of ids) {
      expect((await republishOne(rt, { deadLetterId: id, actor: operator, reason: 'after the channel closed' })).status).toBe('republished');
    }
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(3);
  });

  it('a bulk job fails the items whose origin queue is a refused target, saying why, and sends the rest', async () => {
    const ok = await broker.queue(uniqueName('refusal.bulk'));
    const group = 'ab'.repeat(16);
    const { ids: refused } = await seedDeadLetters(db.pool, { queue: 'eventdesk.parked.some.dlq', groupId: group, count: 2 });
    const { ids: fine } = await seedDeadLetters(db.pool, { queue: ok, groupId: group, count: 3 });
    const runner = new BulkRunner(rt, { pollMs: 100 }).start();
    try {
      const { jobId } = await createGroupJob(db.pool, { groupId: group, ratePerSecond: 0 });
      runner.poke();
      const job = await until(
        'the job to finish',
        async () => (await db.pool.query(`SELECT "status", "succeeded", "failed" FROM "bulk_jobs" WHERE "id" = $1`, [jobId])).rows[0],
        (j) => j.status === 'done',
        {
          timeoutMs: 30_000,
          everyMs: 100,
        },
      );
      expect(job).toMatchObject({ succeeded: 3, failed: 2 });
      const { rows } = await db.pool.query(`SELECT "dead_letter_id", "error" FROM "bulk_job_items" WHERE "job_id" = $1 AND "state" = 'failed'`, [jobId]);
      expect(rows.map((r) => r.dead_letter_id).sort()).toEqual([...refused].sort());
      expect(rows[0].error).toMatch(/EventDesk's own queue/);
      expect((await broker.channel.checkQueue(ok)).messageCount).toBe(fine.length);
    } finally {
      await runner.stop();
    }
  });
});

// pg_terminate_backend of the republish owner's session and of the republish pool's connections,
// during a single republish and during a bulk job: both complete afterwards, and the owner holds
// its lock again with exactly one session (no second loop racing for it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import { recoverRepublishIntents } from '@/lib/jobs/recover-republish-intents';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { until } from '../helpers/until';
import { copiesByDeadLetter, createGroupJob, insertIntent, recordState, seedDeadLetters, testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('republish survives dropped database connections', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;

  /** Terminates this runtime's database sessions: the owner's, the pool's, or both. */
  async function kill(which: 'owner' | 'pool' | 'both'): Promise<number> {
    const names =
      which === 'owner' ? ['eventdesk-republish-owner'] : which === 'pool' ? ['eventdesk-republish'] : ['eventdesk-republish-owner', 'eventdesk-republish'];
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = $1 AND application_name = ANY($2::text[]) AND pid <> pg_backend_pid()`,
      [db.name, names],
    );
    return rows[0].n;
  }

  async function ownerSessions(): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $2 AND a.datname = $1`,
      [db.name, Number(rt.owner.id)],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    db = await createTestDatabase('republish_connloss');
    db.pool.on('error', () => {});
    broker = await createTestBroker();
    const ledger = uniqueName('connloss.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
    await rt.owner.start();
  });

  afterAll(async () => {
    await rt?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  it('pg_terminate_backend of the owner session: the lock is taken again by one loop, and a republish completes', async () => {
    const queue = await broker.queue(uniqueName('connloss.owner'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const before = rt.owner.takenCount;
    expect(await kill('owner')).toBe(1);
    const started = Date.now();
    const result = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'after the owner lost its session' });
    expect(result.status).toBe('republished');
    expect(Date.now() - started).toBeLessThan(6000);
    await until(
      'the owner lock again',
      () => Promise.resolve(rt.owner.takenCount),
      (n) => n === before + 1,
      { timeoutMs: 10_000 },
    );
    // a second loop would take the lock a second time and leave two sessions holding it
    await new Promise((r) => setTimeout(r, 1500));
    expect(rt.owner.takenCount).toBe(before + 1);
    expect(await ownerSessions()).toBe(1);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
  });

  it("pg_terminate_backend of the pool's and the owner's sessions during a single republish: it completes", async () => {
    const queue = await broker.queue(uniqueName('connloss.single'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    // kill every session right after the broker confirmed, before the settle
    const publishAll = rt.publisher.publishAll.bind(rt.publisher);
    let killed = 0;
    rt.publisher.publishAll = async (items) => {
      const outcomes = await publishAll(items);
      killed = await kill('both');
      await new Promise((r) => setTimeout(r, 50)); // the pool sees its idle clients die
      return outcomes;
    };
    try {
      const result = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'sessions killed mid-way' });
      expect(result.status).toBe('republished');
    } finally {
      rt.publisher.publishAll = publishAll;
    }
    expect(killed).toBeGreaterThanOrEqual(2);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'republished', republish_count: 1 });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
    // and the next one too
    const { ids: more } = await seedDeadLetters(db.pool, { queue });
    expect((await republishOne(rt, { deadLetterId: more[0], actor: operator, reason: 'next' })).status).toBe('republished');
    await until('one owner session', ownerSessions, (n) => n === 1, { timeoutMs: 10_000 });
  });

  it("pg_terminate_backend of the pool's and the owner's sessions during a bulk job: the job completes, each message once", async () => {
    const queue = await broker.queue(uniqueName('connloss.bulk'));
    const { groupId } = await seedDeadLetters(db.pool, { queue, count: 600 });
    const runner = new BulkRunner(rt, { pollMs: 100, maxBatch: 50 }).start();
    try {
      const { jobId } = await createGroupJob(db.pool, { groupId, ratePerSecond: 0 });
      runner.poke();
      // kill while it runs: as soon as some items are done, then again a few times
      await until(
        'the job to start',
        async () => (await db.pool.query(`SELECT "succeeded" FROM "bulk_jobs" WHERE "id" = $1`, [jobId])).rows[0].succeeded,
        (n) => n > 0,
        { timeoutMs: 45_000, everyMs: 50 },
      );
      let kills = 0;
      for (let i = 0; i < 5; i++) {
        kills += await kill('both');
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(kills).toBeGreaterThan(0);
      const job = await until(
        'the job to finish',
        async () => (await db.pool.query(`SELECT "status", "succeeded", "failed", "skipped" FROM "bulk_jobs" WHERE "id" = $1`, [jobId])).rows[0],
        (j) => j.status === 'done',
        { timeoutMs: 45_000, everyMs: 200 },
      );
      expect(job).toMatchObject({ succeeded: 600, failed: 0, skipped: 0 });
      const seen = await copiesByDeadLetter(broker.channel, queue);
      expect(seen.size).toBe(600);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await runner.stop();
    }
  });

  it('a record row-locked by a stuck session: 409 busy after the lock timeout, nothing changed', async () => {
    const queue = await broker.queue(uniqueName('connloss.busy'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "dead_letters" WHERE "id" = $1 FOR UPDATE`, [ids[0]]);
      const started = Date.now();
      const err = await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'x' }).catch((e) => e);
      const ms = Date.now() - started;
      expect(err.kind).toBe('conflict');
      expect(err.details).toMatchObject({ reason: 'busy' });
      expect(ms).toBeGreaterThanOrEqual(4500);
      expect(ms).toBeLessThan(8000);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0);
    expect((await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'unlocked' })).status).toBe('republished');
  });

  it("an intent of this live process that it no longer tracks (its claim's answer lost with the connection) is settled by recovery, a tracked one is not", async () => {
    const queue = await broker.queue(uniqueName('connloss.orphan'));
    const { ids } = await seedDeadLetters(db.pool, { queue, count: 2 });
    const lost = await insertIntent(db.pool, { deadLetterId: ids[0], queue, owner: rt.owner.id });
    const live = await insertIntent(db.pool, { deadLetterId: ids[1], queue, owner: rt.owner.id });
    rt.owner.track([live]);
    try {
      const report = await recoverRepublishIntents({ ...rt, untrackedAfterMs: 0 });
      expect(report).toMatchObject({ stale: 1, abandoned: 1 });
    } finally {
      rt.owner.untrack([live]);
    }
    const { rows } = await db.pool.query(`SELECT "id", "state" FROM "republish_intents" WHERE "id" = ANY($1::uuid[]) ORDER BY "created_at"`, [[lost, live]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.state]))).toEqual({ [lost]: 'abandoned', [live]: 'pending' });
    expect((await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'again' })).status).toBe('republished');
  });
});

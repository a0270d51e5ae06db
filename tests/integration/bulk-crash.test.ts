// A bulk job survives the death of its process without sending anything twice or losing
// anything: a child process runs the job at an unlimited rate (batches being claimed, published
// and settled at once) and is killed with SIGKILL mid-job; a "restarted" process runs recovery
// (settling from the ledger what reached the broker, abandoning what did not) and a new runner
// takes the job over when its lease lapses. The queue then holds each dead letter exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { recoverRepublishIntents } from '@/lib/jobs/recover-republish-intents';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { until } from '../helpers/until';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { copiesByDeadLetter, seedDeadLetters, testRuntime } from './republish-fixtures';

const N = 3000;

describe('bulk job across a crash', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime | undefined;
  let runner: BulkRunner | undefined;
  let child: ChildProcess | undefined;
  let ledger: string;

  beforeAll(async () => {
    db = await createTestDatabase('bulk_crash');
    db.pool.on('error', () => {});
    broker = await createTestBroker();
    ledger = uniqueName('bulk.crash.ledger');
    broker.track('queue', ledger);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await runner?.stop();
    await rt?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  it('republishes every dead letter exactly once when the process dies mid-job', async () => {
    const queue = await broker.queue(uniqueName('bulk.crash'));
    const { ids, groupId } = await seedDeadLetters(db.pool, { queue, count: N });
    // the job as POST /api/bulk creates it, at an unlimited rate
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO "bulk_jobs" ("action", "selection", "reason", "actor", "rate_per_second", "total")
       VALUES ('republish', $1, 'bug fixed', 'olivia@example.com', 0, $2) RETURNING "id"`,
      [JSON.stringify({ groupId }), N],
    );
    const jobId = rows[0].id;
    await db.pool.query(
      `INSERT INTO "bulk_job_items" ("job_id", "seq", "dead_letter_id")
       SELECT $1::uuid, row_number() OVER (ORDER BY "last_failed_at", "id")::int, "id" FROM "dead_letters" WHERE "group_id" = $2`,
      [jobId, groupId],
    );
    const progress = async () =>
      (await db.pool.query<{ status: string; succeeded: number; failed: number; skipped: number }>(`SELECT "status", "succeeded", "failed", "skipped" FROM "bulk_jobs" WHERE "id" = $1`, [jobId])).rows[0];

    // node itself with tsx as a loader (not tsx's CLI, which runs the script in a second
    // process that a SIGKILL of the first would leave running)
    child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bulk-crash-child.ts'), db.url, broker.url, ledger], {
      cwd: process.cwd(),
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise((r) => child!.once('exit', r));
    // mid-job: some batches settled, others being claimed or published
    await until('the child to settle some batches', progress, (p) => p.succeeded >= 400).catch((err) => {
      throw new Error(`${err.message}\nchild output:\n${output}`);
    });
    child.kill('SIGKILL');
    await exited;
    // nothing moves any more: the runner died with its process
    const frozen = await progress();
    await new Promise((r) => setTimeout(r, 500));
    expect(await progress()).toEqual(frozen);
    const atCrash = await progress();
    const sentAtCrash = (await broker.channel.checkQueue(queue)).messageCount;
    expect(atCrash.status).toBe('running');
    expect(atCrash.succeeded).toBeLessThan(N);
    expect(sentAtCrash).toBeGreaterThanOrEqual(atCrash.succeeded);
    // the crash left work in flight: intents recorded and not settled (claimed ahead, or
    // published and confirmed but not yet committed)
    const pendingIntents = async () => Number((await db.pool.query(`SELECT count(*) FROM "republish_intents" WHERE "state" = 'pending'`)).rows[0].count);
    expect(await pendingIntents()).toBeGreaterThan(0);

    // "restart": recovery settles the dead process's intents (its owner lock goes with its
    // connections), then a runner takes the job over once its lease lapses
    rt = testRuntime(db.url, broker.url, ledger);
    await until('recovery of the dead process\'s intents', async () => (await recoverRepublishIntents(rt!), pendingIntents()), (n) => n === 0);
    runner = new BulkRunner(rt, { pollMs: 50, leaseMs: 1500, maxBatch: 200 }).start();
    const done = await until('the job to finish', progress, (p) => p.status === 'done');
    expect(done).toMatchObject({ succeeded: N, failed: 0, skipped: 0 });

    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(N);
    const seen = await copiesByDeadLetter(broker.channel, queue);
    expect(seen.size).toBe(N);
    expect(new Set(ids)).toEqual(new Set(seen.keys()));
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    const { rows: st } = await db.pool.query(
      `SELECT count(*) FILTER (WHERE "status" = 'republished')::int AS republished, max("republish_count")::int AS max,
              (SELECT "pending_count" FROM "failure_groups" WHERE "id" = $1) AS pending
       FROM "dead_letters" WHERE "group_id" = $1`,
      [groupId],
    );
    expect(st[0]).toEqual({ republished: N, max: 1, pending: 0 });
  });
});

// A bulk job survives the death of its process without sending anything twice or losing
// anything. A child process runs the job at an unlimited rate (batches being claimed, published
// and settled at once) and dies: killed with SIGKILL mid-job, or exiting through the test hook
// right after a batch's confirms and before its commit. A "restarted" process then runs recovery
// (settling from the ledger what reached the broker, abandoning what did not) and a new runner
// takes the job over when its lease lapses. The queue then holds each dead letter exactly once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { recoverRepublishIntents, type RecoveryReport } from '@/lib/jobs/recover-republish-intents';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { until } from '../helpers/until';
import type { BulkTransform } from '@/lib/schemas/bulk';
import { bodiesByDeadLetter, createGroupJob, orderCreatedAmountAsString, seedDeadLetters, testRuntime } from './republish-fixtures';

const DEFAULT_N = 3000;

describe('bulk job across a crash', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('bulk_crash');
    db.pool.on('error', () => {});
    broker = await createTestBroker();
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await broker?.cleanup();
    await db?.drop();
  });

  /**
   * A job of N (or `fix.count`, transformed by `fix.transform`) at an unlimited rate run by a child
   * process that `dies`; returns what recovery reported.
   */
  async function crashThenFinish(
    label: string,
    dies: { env?: Record<string, string>; killWhenSucceeded?: number },
    fix?: { count: number; transform: BulkTransform },
  ) {
    const N = fix?.count ?? DEFAULT_N;
    const queue = await broker.queue(uniqueName(`bulk.crash.${label}`));
    const ledger = uniqueName(`bulk.crash.${label}.ledger`);
    broker.track('queue', ledger);
    const { ids, groupId } = await seedDeadLetters(
      db.pool,
      fix
        ? { queue, count: N, eventType: 'order.created', routingKey: 'order.created', body: (_, eventId) => orderCreatedAmountAsString(eventId) }
        : { queue, count: N },
    );
    const { jobId } = await createGroupJob(db.pool, { groupId, ratePerSecond: 0, transform: fix?.transform });
    const progress = async () =>
      (
        await db.pool.query<{ status: string; succeeded: number; failed: number; skipped: number }>(
          `SELECT "status", "succeeded", "failed", "skipped" FROM "bulk_jobs" WHERE "id" = $1`,
          [jobId],
        )
      ).rows[0];

    // node itself with tsx as a loader (not tsx's CLI, which runs the script in a second
    // process that a SIGKILL of the first would leave running)
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bulk-crash-child.ts'), db.url, broker.url, ledger], {
      cwd: process.cwd(),
      env: { ...process.env, LOG_LEVEL: 'warn', ...dies.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    try {
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      if (dies.killWhenSucceeded !== undefined) {
        await until('the child to settle some batches', progress, (p) => p.succeeded >= dies.killWhenSucceeded!).catch((err) => {
          throw new Error(`${err.message}\nchild output:\n${output}`);
        });
        child.kill('SIGKILL');
      }
      const code = await exited;
      // nothing moves any more: the runner died with its process
      const atCrash = await progress();
      await new Promise((r) => setTimeout(r, 500));
      expect(await progress()).toEqual(atCrash);
      expect(atCrash.status).toBe('running');
      expect(atCrash.succeeded).toBeLessThan(N);
      expect((await broker.channel.checkQueue(queue)).messageCount).toBeGreaterThanOrEqual(atCrash.succeeded);

      // "restart": recovery settles the dead process's intents (its owner lock goes with its
      // connections), then a runner takes the job over once its lease lapses
      const rt: RepublishRuntime = testRuntime(db.url, broker.url, ledger);
      cleanups.push(() => rt.close());
      const pending = async () => Number((await db.pool.query(`SELECT count(*) FROM "republish_intents" WHERE "state" = 'pending'`)).rows[0].count);
      const reports: RecoveryReport[] = [];
      await until(
        "recovery of the dead process's intents",
        async () => (reports.push(await recoverRepublishIntents(rt)), pending()),
        (n) => n === 0,
      );
      // stopped before this test ends, passed or not: a runner left polling would take the next
      // test's job away from its child
      const runner = new BulkRunner(rt, { pollMs: 50, leaseMs: 1500, maxBatch: 200 }).start();
      let done: Awaited<ReturnType<typeof progress>>;
      try {
        done = await until('the job to finish', progress, (p) => p.status === 'done');
      } finally {
        await runner.stop();
      }
      const { rows: notDone } = await db.pool.query(`SELECT "state", "error" FROM "bulk_job_items" WHERE "job_id" = $1 AND "state" <> 'done'`, [jobId]);
      expect(done, `items not done: ${JSON.stringify(notDone)}`).toMatchObject({ succeeded: N, failed: 0, skipped: 0 });

      expect((await broker.channel.checkQueue(queue)).messageCount).toBe(N);
      const seen = await bodiesByDeadLetter(broker.channel, queue);
      expect(seen.size).toBe(N);
      expect(new Set(ids)).toEqual(new Set(seen.keys()));
      expect([...seen.values()].filter((copies) => copies.length !== 1)).toEqual([]);
      if (fix) {
        // every copy is the transformed body, the one stored with its intent before it went out
        const amounts = new Set([...seen.values()].map(([b]) => JSON.parse(b.toString('utf8')).data.totalAmount));
        expect([...amounts]).toEqual([199.98]);
      }
      const { rows: st } = await db.pool.query(
        `SELECT count(*) FILTER (WHERE "status" = 'republished')::int AS republished, max("republish_count")::int AS max,
              (SELECT "pending_count" FROM "failure_groups" WHERE "id" = $1) AS pending
       FROM "dead_letters" WHERE "group_id" = $1`,
        [groupId],
      );
      expect(st[0]).toEqual({ republished: N, max: 1, pending: 0 });
      return { code, recovered: reports.reduce((s, r) => s + r.recovered, 0), abandoned: reports.reduce((s, r) => s + r.abandoned, 0) };
    } finally {
      // a child that outlived a failed test would go on running its job
      child.kill('SIGKILL');
    }
  }

  it('republishes every dead letter exactly once when the process is killed mid-job', async () => {
    await crashThenFinish('kill', { killWhenSucceeded: 400 });
  });

  it('sends every transformed message exactly once when the process is killed mid-job', async () => {
    await crashThenFinish(
      'transform',
      { killWhenSucceeded: 400 },
      { count: 2000, transform: { kind: 'jsonata', expression: '$ ~> | data | {"totalAmount": $number(totalAmount)} |' } },
    );
  });

  it('settles from the ledger a batch the broker confirmed before the process died', async () => {
    // the hook exits right after the first batch's confirms: published, not committed
    const { code, recovered } = await crashThenFinish('confirm', { env: { EVENTDESK_TEST_CRASH_AFTER_CONFIRM: '1' } });
    expect(code).toBe(86);
    expect(recovered).toBeGreaterThan(0);
  });
});

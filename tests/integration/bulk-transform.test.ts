// Fix a whole group at once (README, Fix a whole group): a bulk republish with a transformation,
// through the real action, job table, runner, outbox and broker. 2,000 order.created dead letters
// whose producer sent totalAmount as a string: a JSONata fix and an equivalent patch preview
// the same; the job sends each once, fixed, same eventIds, its diff in each record's history. A
// patch that breaks the contract sends nothing. A runaway expression is refused and the server
// goes on. A job scheduled 10 s ahead starts then, and one cancelled before sends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { zodDetails } from '@/lib/api/parse';
import { bulkRequestSchema, MAX_PATCH_CHARS, type BulkTransform, type BulkTransformDryRunResponse } from '@/lib/schemas/bulk';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { until } from '../helpers/until';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { bodiesByDeadLetter, orderCreatedAmountAsString, seedDeadLetters, testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const, kind: 'user' as const };
const admin = { name: 'ada@example.com', role: 'admin' as const, kind: 'user' as const };

const JSONATA_FIX: BulkTransform = { kind: 'jsonata', expression: '$ ~> | data | {"totalAmount": $number(totalAmount)} |' };
const PATCH_FIX: BulkTransform = { kind: 'patch', operations: [{ op: 'replace', path: '/data/totalAmount', value: 199.98 }] };

type Server = {
  createBulkJob: typeof import('@/lib/actions/create-bulk-job').createBulkJob;
  getBulkJob: typeof import('@/lib/server/bulk/get-bulk-job').getBulkJob;
  controlBulkJob: typeof import('@/lib/actions/control-bulk-job').controlBulkJob;
};

describe('bulk republish with a transformation', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let runner: BulkRunner;
  let server: Server;

  beforeAll(async () => {
    db = await createTestDatabase('bulk_transform');
    process.env.DATABASE_URL = db.url; // the server modules' Prisma client
    broker = await createTestBroker();
    const ledger = uniqueName('bulk.transform.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
    runner = new BulkRunner(rt, { pollMs: 100, maxBatch: 500 }).start();
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

  const seedOrders = async (label: string, count: number) => {
    const queue = await broker.queue(uniqueName(`bulk.transform.${label}`));
    const seeded = await seedDeadLetters(db.pool, {
      queue,
      count,
      eventType: 'order.created',
      routingKey: 'order.created',
      body: (_, eventId) => orderCreatedAmountAsString(eventId),
    });
    return { queue, ...seeded };
  };

  /** Wakes the runner and waits for job `jobId` to be done. */
  const finished = (jobId: string) => {
    runner.poke();
    return until(
      'the job to finish',
      () => server.getBulkJob(jobId),
      (j) => j.status === 'done',
    );
  };

  const preview = async (groupId: string, transform: BulkTransform) =>
    (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'dry run',
      dryRun: true,
      transform,
    })) as BulkTransformDryRunResponse;

  it('previews 2,000 fixes both ways, then sends each fixed body once with its eventId, and records the diff', async () => {
    const { queue, groupId, eventIds, ids } = await seedOrders('fix', 2000);
    for (const transform of [JSONATA_FIX, PATCH_FIX]) {
      const dry = await preview(groupId, transform);
      expect(dry).toMatchObject({
        dryRun: true,
        count: 2000,
        wouldChange: 2000,
        unchanged: 0,
        wouldBreak: 0,
        wouldBreakUnchanged: 0,
        errors: 0,
        testFailed: 0,
      });
      expect(dry.sample).toHaveLength(20);
      const s = dry.sample[0];
      expect(s.outcome).toBe('change');
      expect(s.validation).toEqual({ status: 'valid', violations: [] });
      expect(s.diff).toContain('-    "totalAmount": "199.98"');
      expect(s.diff).toContain('+    "totalAmount": 199.98');
      expect(JSON.parse(s.after!).data.totalAmount).toBe(199.98);
    }
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0); // a preview sends nothing

    const created = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'producer sent totalAmount as a string',
      ratePerSecond: 0,
      expectedCount: 2000,
      transform: JSONATA_FIX,
    })) as { jobId: string };
    const job = await finished(created.jobId);
    expect(job).toMatchObject({ total: 2000, succeeded: 2000, failed: 0, skipped: 0, transform: JSONATA_FIX, skipReasons: [] });

    const seen = await bodiesByDeadLetter(broker.channel, queue);
    expect(seen.size).toBe(2000);
    expect(new Set(seen.keys())).toEqual(new Set(ids));
    const sentEventIds = new Set<string>();
    for (const copies of seen.values()) {
      expect(copies).toHaveLength(1);
      const body = JSON.parse(copies[0].toString('utf8'));
      expect(body.data.totalAmount).toBe(199.98);
      sentEventIds.add(body.eventId);
    }
    expect(sentEventIds).toEqual(new Set(eventIds));

    const { rows: hist } = await db.pool.query(`SELECT h."details" FROM "dead_letter_history" h WHERE h."dead_letter_id" = $1 AND h."action" = 'republished'`, [
      ids[0],
    ]);
    expect(hist).toHaveLength(1);
    expect(hist[0].details).toMatchObject({ bulkJobId: created.jobId, edited: true });
    expect(hist[0].details.diff).toContain('-/data/totalAmount: "199.98"');
    expect(hist[0].details.diff).toContain('+/data/totalAmount: 199.98');
    const { rows: audit } = await db.pool.query(`SELECT "action", "details" FROM "audit_log" WHERE "target" = $1 ORDER BY "id"`, [`bulk-job:${created.jobId}`]);
    expect(audit[0]).toMatchObject({ action: 'bulk-create', details: { transform: JSONATA_FIX } });
  });

  it('a job skips a body over 1 MB for its size, without reading it, and sends the others', async () => {
    const { queue, groupId, ids } = await seedOrders('big-body', 3);
    // 3 MB of padding in one stored body (a probe's 100 MB bodies were read whole only to be skipped)
    await db.pool.query(`UPDATE "dead_letter_messages" SET "body" = convert_to(repeat('x', 3 * 1024 * 1024), 'UTF8') WHERE "dead_letter_id" = $1`, [ids[0]]);
    const { jobId } = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'big body',
      ratePerSecond: 0,
      transform: JSONATA_FIX,
    })) as { jobId: string };
    const job = await finished(jobId);
    expect(job).toMatchObject({ total: 3, succeeded: 2, skipped: 1 });
    expect(job.skipReasons).toEqual([{ reason: expect.stringMatching(/body is over 1 MB: not transformed/), count: 1 }]);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(2);
  });

  it('sends nothing when the patch breaks the contract, and says why on each item', async () => {
    const { queue, groupId, ids } = await seedOrders('break', 150);
    const breaking: BulkTransform = { kind: 'patch', operations: [{ op: 'remove', path: '/data/currency' }] };
    const dry = await preview(groupId, breaking);
    // changed by the patch, and breaking: none of them as it was
    expect(dry).toMatchObject({ count: 150, wouldChange: 0, wouldBreak: 150, wouldBreakUnchanged: 0 });
    // a transform that leaves these breaking bodies as they were says so
    expect(await preview(groupId, { kind: 'jsonata', expression: '$' })).toMatchObject({
      count: 150,
      wouldChange: 0,
      wouldBreak: 150,
      wouldBreakUnchanged: 150,
    });
    expect(dry.sample[0].validation!.violations.map((v) => v.path)).toEqual(expect.arrayContaining(['$.data.currency']));

    const { jobId } = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'wrong fix',
      ratePerSecond: 0,
      expectedCount: 150,
      transform: breaking,
    })) as { jobId: string };
    const job = await finished(jobId);
    expect(job).toMatchObject({ total: 150, succeeded: 0, skipped: 150 });
    expect(job.skipReasons).toHaveLength(1);
    expect(job.skipReasons[0].count).toBe(150);
    expect(job.skipReasons[0].reason).toMatch(/^breaks the contract \(invalid\): .*\$\.data\.currency/);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "dead_letters" WHERE "id" = ANY($1::uuid[]) AND "status" = 'pending'`, [ids]);
    expect(rows[0].n).toBe(150);
  });

  it("a preview's results are bounded: each sample's after cut at 64 KB, a result over 1 MB an error", async () => {
    const { groupId } = await seedOrders('bigresult', 30);
    // 1.1 M characters each: over the result cap, an error for each message
    const over = await preview(groupId, { kind: 'jsonata', expression: '$ ~> | data | {"pad": $pad("", 1100000, "a")} |' });
    expect(over).toMatchObject({ count: 30, errors: 30, wouldChange: 0 });
    expect(over.sample[0].error).toMatch(/over 1048576 characters/);
    // 500 KB each: sent in full, shown cut
    const big = await preview(groupId, { kind: 'jsonata', expression: '$ ~> | data | {"pad": $pad("", 500000, "a"), "totalAmount": 1} |' });
    expect(big).toMatchObject({ count: 30, wouldChange: 30, errors: 0 });
    expect(big.sample).toHaveLength(20);
    for (const s of big.sample) {
      expect(s.after!.length).toBeLessThan(65 * 1024);
      expect(s.after).toMatch(/… \(\d+ characters\)$/);
    }
    expect(JSON.stringify(big).length).toBeLessThan(20 * 200 * 1024);
  });

  it('results of 900 KB: a preview of 300 (they ran the worker out of memory) and a job, its batches bounded by their bytes', async () => {
    const { queue, groupId } = await seedOrders('heavyresults', 300);
    const heavy: BulkTransform = { kind: 'jsonata', expression: '$ ~> | data | {"pad": $pad("", 900000, "a"), "totalAmount": 1} |' };
    expect(await preview(groupId, heavy)).toMatchObject({ count: 300, wouldChange: 300, errors: 0 });
    // a job of 60 of them: each batch stops once its results pass 32 MB, the rest go in the next
    const { rows: some } = await db.pool.query(`SELECT "id" FROM "dead_letters" WHERE "group_id" = $1 ORDER BY "last_failed_at", "id" LIMIT 60`, [groupId]);
    const { jobId } = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { ids: some.map((r) => r.id) },
      reason: 'heavy',
      ratePerSecond: 0,
      expectedCount: 60,
      transform: heavy,
    })) as { jobId: string };
    expect(await finished(jobId)).toMatchObject({ total: 60, succeeded: 60, skipped: 0, failed: 0 });
    const { rows } = await db.pool.query(`SELECT count(DISTINCT "created_at")::int AS batches FROM "republish_intents" WHERE "bulk_job_id" = $1`, [jobId]);
    expect(rows[0].batches).toBeGreaterThanOrEqual(2);
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(60);
  });

  it("a preview's before is cut the same way: bodies of 200 KB shown at 64 KB, the diff still of the whole texts", async () => {
    const queue = await broker.queue(uniqueName('bulk.transform.bigbody'));
    const { groupId } = await seedDeadLetters(db.pool, {
      queue,
      count: 25,
      eventType: 'order.created',
      routingKey: 'order.created',
      body: (_, eventId) => {
        const event = JSON.parse(orderCreatedAmountAsString(eventId).toString()) as { data: Record<string, unknown> };
        event.data.note = 'n'.repeat(200_000);
        return Buffer.from(JSON.stringify(event));
      },
    });
    const dry = await preview(groupId, PATCH_FIX);
    expect(dry).toMatchObject({ count: 25, wouldChange: 25, errors: 0 });
    expect(dry.sample).toHaveLength(20);
    for (const s of dry.sample) {
      expect(s.before.length).toBeLessThan(65 * 1024);
      expect(s.before).toMatch(/… \(\d+ characters\)$/);
      expect(s.after!.length).toBeLessThan(65 * 1024);
      // diffed whole (under the diff's own 256 KB cap), not the cut texts
      expect(s.diff).toContain('-    "totalAmount": "199.98"');
      expect(s.diff!.length).toBeLessThan(65 * 1024);
    }
    expect(JSON.stringify(dry).length).toBeLessThan(20 * 200 * 1024);
  });

  it('a body nested 5,000 levels deep in the selection is an error item, never the whole preview failing; a patch over 256 KB is refused', async () => {
    const queue = await broker.queue(uniqueName('bulk.transform.deep'));
    const { groupId } = await seedDeadLetters(db.pool, {
      queue,
      count: 3,
      eventType: 'order.created',
      routingKey: 'order.created',
      body: (i, eventId) =>
        i === 1 ? Buffer.from(`{"eventId":"${eventId}","a":${'['.repeat(5000)}${']'.repeat(5000)}}`) : orderCreatedAmountAsString(eventId),
    });
    for (const transform of [PATCH_FIX, { kind: 'jsonata', expression: '$' } as BulkTransform]) {
      const dry = await preview(groupId, transform);
      expect(dry.count).toBe(3);
      expect(dry.errors).toBe(1);
      const deep = dry.sample.find((s) => s.outcome === 'error')!;
      expect(deep.error).toBe('body is nested deeper than 256 levels: not transformed');
      expect(deep.before).toMatch(/^\{"eventId":"[^"]+","a":\[\[\[/);
    }
    const huge: BulkTransform = { kind: 'patch', operations: [{ op: 'add', path: '/pad', value: 'x'.repeat(300 * 1024) }] };
    // (the route's schema, which createBulkJob's callers parse with)
    const refused = bulkRequestSchema.safeParse({ action: 'republish', selection: { groupId }, reason: 'dry run', dryRun: true, transform: huge });
    expect(refused.success).toBe(false);
    expect(zodDetails(refused.error!)).toEqual([{ field: 'transform.operations', message: `must be at most ${MAX_PATCH_CHARS} characters as JSON` }]);
  });

  it('never changes an eventId, not even forced, and counts a failed patch test as left alone', async () => {
    const { queue, groupId } = await seedOrders('ids', 10);
    const renumber: BulkTransform = { kind: 'patch', operations: [{ op: 'replace', path: '/eventId', value: 'other' }] };
    const dry = await preview(groupId, renumber);
    expect(dry).toMatchObject({ count: 10, errors: 10 });
    expect(dry.sample[0].error).toMatch(/changed eventId/);
    const guarded: BulkTransform = {
      kind: 'patch',
      operations: [
        { op: 'test', path: '/data/currency', value: 'EUR' },
        { op: 'replace', path: '/data/totalAmount', value: 1 },
      ],
    };
    expect(await preview(groupId, guarded)).toMatchObject({ count: 10, testFailed: 10, wouldChange: 0 });
    const { jobId } = (await server.createBulkJob(admin, {
      action: 'republish',
      selection: { groupId },
      reason: 'forced',
      ratePerSecond: 0,
      force: true,
      transform: renumber,
    })) as { jobId: string };
    const job = await finished(jobId);
    expect(job).toMatchObject({ succeeded: 0, skipped: 10 });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0);
  });

  it('refuses a patch or expression that does not parse, and one that runs away, and goes on serving', async () => {
    const { groupId } = await seedOrders('refuse', 5);
    const err = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e) => e,
      );
    const bad = await err(preview(groupId, { kind: 'jsonata', expression: '$ ~> | data | {' }));
    expect(bad).toMatchObject({ kind: 'unprocessable', details: { reason: 'invalid-expression', field: 'transform.expression' } });
    const badPatch = await err(preview(groupId, { kind: 'patch', operations: [{ op: 'add', path: 'no-slash', value: 1 }] }));
    expect(badPatch).toMatchObject({ kind: 'unprocessable', details: { reason: 'invalid-patch' } });

    // endless recursion: stopped by jsonata's guardrails inside the worker
    const loop = await err(preview(groupId, { kind: 'jsonata', expression: '($f := function($x) { $f($x + 1) }; $f(0))' }));
    expect(loop).toMatchObject({ kind: 'unprocessable', details: { reason: 'transform-timeout' } });
    // one built-in step that never yields (catastrophic regex backtracking): the worker is stopped
    const started = Date.now();
    const regex = await err(preview(groupId, { kind: 'jsonata', expression: '$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/) ? $ : $' }));
    expect(regex).toMatchObject({ kind: 'unprocessable', details: { reason: 'transform-timeout' } });
    expect(Date.now() - started).toBeLessThan(10_000);
    // one step that grows a value past the worker's heap: the worker dies alone (as a worker
    // thread, V8's out-of-memory abort took this whole process down)
    const huge = await err(preview(groupId, { kind: 'jsonata', expression: '$length($pad("", 300000000))' }));
    expect(huge).toMatchObject({ kind: 'unprocessable', details: { reason: 'transform-out-of-memory', field: 'transform.expression' } });
    // a result just under the limits (918 KB, 252 deep) is shown compact: pretty-printed it was
    // 232 M characters a sample, and forty of them took the server out of memory (a probe)
    const deepResult = await preview(groupId, {
      kind: 'jsonata',
      expression: '$merge([$, {"x": $reduce([1..250], function($a, $i){[[$a]]}, $reduce([1..16], function($a,$i){$append($a,$a)}, [0,0,0,0,0,0,0]))}])',
    });
    expect(deepResult.count).toBe(5);
    for (const item of deepResult.sample) {
      expect(item.after!.startsWith('{"eventId"')).toBe(true);
      expect(item.after!.length).toBeLessThan(70 * 1024);
      expect(item.diff).toMatch(/^Too large to diff/);
    }
    // the event loop stayed free meanwhile, and the next preview works on a fresh worker
    expect(await preview(groupId, JSONATA_FIX)).toMatchObject({ count: 5, wouldChange: 5 });
    // a job is refused at creation too
    const job = await err(
      server.createBulkJob(operator, {
        action: 'republish',
        selection: { groupId },
        reason: 'x',
        transform: { kind: 'jsonata', expression: '($f := function($x) { $f($x) }; $f(0))' },
      }),
    );
    expect(job).toMatchObject({ kind: 'unprocessable' });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "bulk_jobs" WHERE "selection"->>'groupId' = $1`, [groupId]);
    expect(rows[0].n).toBe(0);
  });

  it('a slow expression: refused at creation when its pace would take the selection past the preview budget; a job transforms outside any transaction', async () => {
    // ~0.1-0.3 s a message in the worker (one step: under the watchdog on a loaded machine too), each
    // result over 1 MB (an error item, not a runaway)
    const slow: BulkTransform = { kind: 'jsonata', expression: '$ ~> | data | {"pad": $pad("", 8000000, "a")} |' };
    const many = await seedOrders('slow-many', 1000);
    const refused = await server
      .createBulkJob(operator, {
        action: 'republish',
        selection: { groupId: many.groupId },
        reason: 'x',
        ratePerSecond: 0,
        expectedCount: 1000,
        transform: slow,
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refused).toMatchObject({ kind: 'unprocessable', details: { reason: 'transform-too-slow', field: 'transform' } });

    const few = await seedOrders('slow-few', 30);
    const { jobId } = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId: few.groupId },
      reason: 'slow fix',
      ratePerSecond: 0,
      expectedCount: 30,
      transform: slow,
    })) as { jobId: string };
    runner.poke();
    // while it transforms (~6 s), no transaction of this database stays open: the records were
    // locked, and a transaction held, for the whole transformation before
    let longestOpen = 0;
    const job = await until(
      'the job to finish',
      async () => {
        const { rows } = await db.pool.query<{ s: number | null }>(
          `SELECT max(extract(epoch FROM now() - xact_start))::float AS s FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'`,
          [db.name],
        );
        longestOpen = Math.max(longestOpen, rows[0].s ?? 0);
        return server.getBulkJob(jobId);
      },
      (j) => j.status === 'done',
    );
    expect(job).toMatchObject({ total: 30, succeeded: 0, skipped: 30 });
    expect(job.skipReasons[0].reason).toMatch(/result is over/);
    expect(longestOpen).toBeLessThan(2);
  }, 120_000);

  it('a slow job does not hold back a job created after it: the runner runs two at once', async () => {
    const slow: BulkTransform = { kind: 'jsonata', expression: '$ ~> | data | {"pad": $pad("", 8000000, "a")} |' };
    const a = await seedOrders('slow-first', 30);
    const b = await seedOrders('quick-after', 2);
    const { jobId: slowJob } = (await server.createBulkJob(operator, {
      action: 'republish',
      selection: { groupId: a.groupId },
      reason: 'slow',
      ratePerSecond: 0,
      transform: slow,
    })) as { jobId: string };
    runner.poke();
    await until(
      'the slow job to start',
      () => server.getBulkJob(slowJob),
      (j) => j.status === 'running',
    );
    const { jobId: quickJob } = (await server.createBulkJob(operator, { action: 'discard', selection: { groupId: b.groupId }, reason: 'noise' })) as {
      jobId: string;
    };
    runner.poke();
    // it ran behind the slow one before, ~6 s here (minutes for a bigger one)
    await until(
      'the quick job to finish',
      () => server.getBulkJob(quickJob),
      (j) => j.status === 'done',
    );
    expect((await server.getBulkJob(slowJob)).status).toBe('running');
    const slowDone = await until(
      'the slow job to finish',
      () => server.getBulkJob(slowJob),
      (j) => j.status === 'done',
    );
    expect(slowDone).toMatchObject({ total: 30, skipped: 30 });
  }, 120_000);

  it('starts a scheduled job at its time, not before, and a cancelled one never', async () => {
    const a = await seedOrders('later', 20);
    const b = await seedOrders('cancelled', 20);
    const startAt = new Date(Date.now() + 10_000).toISOString();
    const create = (groupId: string) =>
      server.createBulkJob(operator, {
        action: 'republish',
        selection: { groupId },
        reason: 'after the deploy',
        ratePerSecond: 0,
        transform: PATCH_FIX,
        startAt,
      }) as Promise<{
        jobId: string;
      }>;
    const later = await create(a.groupId);
    const cancelled = await create(b.groupId);
    expect(await server.getBulkJob(later.jobId)).toMatchObject({ status: 'scheduled', startAt, startedAt: null });
    await server.controlBulkJob(operator, { id: cancelled.jobId, control: 'cancel' });
    runner.poke();
    await new Promise((r) => setTimeout(r, 8000));
    expect(await server.getBulkJob(later.jobId)).toMatchObject({ status: 'scheduled', succeeded: 0 });
    expect((await broker.channel.checkQueue(a.queue)).messageCount).toBe(0);
    const done = await until(
      'the scheduled job to run',
      () => server.getBulkJob(later.jobId),
      (j) => j.status === 'done',
      { timeoutMs: 20_000 },
    );
    expect(done.succeeded).toBe(20);
    expect(new Date(done.startedAt!).getTime()).toBeGreaterThanOrEqual(Date.parse(startAt));
    expect((await broker.channel.checkQueue(a.queue)).messageCount).toBe(20);
    expect(await server.getBulkJob(cancelled.jobId)).toMatchObject({ status: 'cancelled', succeeded: 0 });
    expect((await broker.channel.checkQueue(b.queue)).messageCount).toBe(0);
  });
});

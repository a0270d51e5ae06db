// lib/actions/create-bulk-job.ts and control-bulk-job.ts against PostgreSQL (no runner: the jobs
// stay queued): one audit line per create, pause, resume and cancel, and their domain errors
// with nothing written.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkCreatedResponse } from '@/lib/schemas/bulk';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { actionErrorOf, auditLines } from './actions-fixtures';
import { seedDeadLetters } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('the bulk actions', () => {
  let db: TestDatabase;
  let createBulkJob: typeof import('@/lib/actions/create-bulk-job').createBulkJob;
  let controlBulkJob: typeof import('@/lib/actions/control-bulk-job').controlBulkJob;

  beforeAll(async () => {
    db = await createTestDatabase('actions_bulk');
    process.env.DATABASE_URL = db.url; // the Prisma client the bulk actions use
    createBulkJob = (await import('@/lib/actions/create-bulk-job')).createBulkJob;
    controlBulkJob = (await import('@/lib/actions/control-bulk-job')).controlBulkJob;
  });

  afterAll(async () => {
    const { prisma } = await import('@/lib/server/db');
    await prisma.$disconnect();
    await db?.drop();
  });

  it('create writes exactly one audit line: actor, action, target, reason and the job', async () => {
    const { groupId } = await seedDeadLetters(db.pool, { queue: 'bulk.create', count: 3 });
    const created = (await createBulkJob(operator, {
      action: 'republish',
      selection: { groupId },
      reason: 'bug fixed',
      ratePerSecond: 5,
    })) as BulkCreatedResponse;
    expect(created.count).toBe(3);
    expect(await auditLines(db.pool, `bulk-job:${created.jobId}`)).toEqual([
      {
        actor: operator.name,
        action: 'bulk-create',
        target: `bulk-job:${created.jobId}`,
        reason: 'bug fixed',
        details: { bulkJobId: created.jobId, action: 'republish', selection: { groupId }, count: 3, ratePerSecond: 5, force: false },
      },
    ]);
  });

  it('the audit line of a selection of many ids names the first 100 and their count; a line over 64 KB reads back truncated', async () => {
    // 100,000 ids made 3.9 MB audit lines: 50 of them froze the list 34 s, 150 answered 500 (a probe)
    const { ids } = await seedDeadLetters(db.pool, { queue: 'bulk.audit-ids', count: 1 });
    const selection = { ids: [ids[0], ...Array.from({ length: 4_999 }, () => randomUUID())] };
    const created = (await createBulkJob(operator, { action: 'discard', selection, reason: 'many ids' })) as BulkCreatedResponse;
    const [line] = await auditLines(db.pool, `bulk-job:${created.jobId}`);
    expect((line.details as { selection: unknown }).selection).toEqual({ ids: selection.ids.slice(0, 100), idCount: 5_000, idsOmitted: 4_900 });
    // a line written big before (or by another action): the list and the export read a marker
    const big = { selection: { ids: Array.from({ length: 20_000 }, () => randomUUID()) } };
    await db.pool.query(`INSERT INTO "audit_log" ("actor", "action", "target", "details") VALUES ('t', 'bulk-create', 'bulk-job:big', $1)`, [
      JSON.stringify(big),
    ]);
    const { listAudit } = await import('@/lib/server/audit/list-audit');
    const page = await listAudit({ limit: 5 });
    const read = page.items.find((i) => i.target === 'bulk-job:big');
    expect(read?.details).toMatchObject({ truncated: true });
    expect((read?.details as { storedBytes: number }).storedBytes).toBeGreaterThan(64 * 1024);
    expect(page.items.find((i) => i.target === `bulk-job:${created.jobId}`)?.details).toMatchObject({ selection: { idCount: 5_000 } });
  });

  it('create: an empty selection is a conflict and no job exists; force by an operator is forbidden', async () => {
    const before = await db.pool.query(`SELECT count(*)::int AS n FROM "bulk_jobs"`);
    const empty = await actionErrorOf(createBulkJob(operator, { action: 'republish', selection: { groupId: 'no-such-group' }, reason: 'x' }));
    expect(empty.kind).toBe('conflict');
    expect(empty.details).toEqual({ reason: 'empty', count: 0 });
    const forced = await actionErrorOf(createBulkJob(operator, { action: 'republish', selection: { groupId: 'g' }, reason: 'x', force: true }));
    expect(forced.kind).toBe('forbidden');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM "bulk_jobs"`)).rows[0].n).toBe(before.rows[0].n);
  });

  it('pause, resume and cancel each write exactly one audit line; a control the job cannot take is a conflict', async () => {
    const { groupId } = await seedDeadLetters(db.pool, { queue: 'bulk.control', count: 2 });
    const { jobId } = (await createBulkJob(operator, { action: 'discard', selection: { groupId }, reason: 'noise' })) as BulkCreatedResponse;
    expect(await controlBulkJob(operator, { id: jobId, control: 'pause' })).toMatchObject({ status: 'paused' });
    expect(await controlBulkJob(operator, { id: jobId, control: 'resume' })).toMatchObject({ status: 'queued' });
    expect(await controlBulkJob({ name: 'adam@example.com', role: 'admin' }, { id: jobId, control: 'cancel' })).toMatchObject({ status: 'cancelled' });
    const lines = await auditLines(db.pool, `bulk-job:${jobId}`);
    expect(lines.slice(1)).toEqual([
      { actor: operator.name, action: 'bulk-pause', target: `bulk-job:${jobId}`, reason: null, details: { bulkJobId: jobId, from: 'queued' } },
      { actor: operator.name, action: 'bulk-resume', target: `bulk-job:${jobId}`, reason: null, details: { bulkJobId: jobId, from: 'paused' } },
      { actor: 'adam@example.com', action: 'bulk-cancel', target: `bulk-job:${jobId}`, reason: null, details: { bulkJobId: jobId, from: 'queued' } },
    ]);

    const again = await actionErrorOf(controlBulkJob(operator, { id: jobId, control: 'resume' }));
    expect(again.kind).toBe('conflict');
    expect(again.details).toEqual({ status: 'cancelled' });
    expect(await auditLines(db.pool, `bulk-job:${jobId}`)).toHaveLength(4);
  });

  it('create: a double-click (identical requests at once) makes one job; the others are a conflict naming it, until it ends', async () => {
    const { groupId } = await seedDeadLetters(db.pool, { queue: 'bulk.double', count: 4 });
    const request = { action: 'republish' as const, selection: { groupId }, reason: 'double click', ratePerSecond: 5 };
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => createBulkJob(operator, request)));
    const created = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<unknown>).value as BulkCreatedResponse);
    expect(created).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      const err = r.reason as { kind: string; details: unknown };
      expect(err.kind).toBe('conflict');
      expect(err.details).toEqual({ reason: 'duplicate', bulkJobId: created[0].jobId });
    }
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "bulk_jobs" WHERE "selection"->>'groupId' = $1`, [groupId]);
    expect(rows[0].n).toBe(1);
    // another action on the same selection is not a duplicate
    expect((await createBulkJob(operator, { ...request, action: 'discard' })) as BulkCreatedResponse).toMatchObject({ count: 4 });
    // once the job ends, the same request makes a new one
    await controlBulkJob(operator, { id: created[0].jobId, control: 'cancel' });
    expect((await createBulkJob(operator, request)) as BulkCreatedResponse).toMatchObject({ count: 4 });
  });

  it('an unknown job: not_found', async () => {
    const err = await actionErrorOf(controlBulkJob(operator, { id: randomUUID(), control: 'pause' }));
    expect(err.kind).toBe('not_found');
    expect(err.message).toBe('Bulk job not found');
  });
});

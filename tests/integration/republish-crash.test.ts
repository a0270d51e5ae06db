// Crash recovery: a process killed between the broker's confirm and the database commit, then
// a restart's recovery pass: exactly one message on the queue and the record republished.
// Also: an intent whose publish never reached the broker is closed without sending, and a live
// process's in-flight intent is left alone.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntentOwner } from '@/lib/bus/republish-owner';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { recoverRepublishIntents } from '@/lib/jobs/recover-republish-intents';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { insertIntent, recordState, seedDeadLetters, testRuntime } from './republish-fixtures';

function runChild(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), path.join(__dirname, 'republish-crash-child.ts'), ...args],
      {
        cwd: process.cwd(),
        env: { ...process.env, LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('republish crash recovery', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let ledger: string;

  beforeAll(async () => {
    db = await createTestDatabase('republish_crash');
    broker = await createTestBroker();
    ledger = uniqueName('republish.ledger');
    broker.track('queue', ledger);
  });

  afterAll(async () => {
    await rt?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  it('settles a publish the broker confirmed before the process died: one message, record republished', async () => {
    const queue = await broker.queue(uniqueName('republish.crash'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const child = await runChild([db.url, broker.url, ledger, ids[0]], { EVENTDESK_TEST_CRASH_AFTER_CONFIRM: '1' });
    expect(child.code, child.output).toBe(86);
    // the state the crash left: sent, but not recorded
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0 });

    // "restart": a new process's start-up recovery
    rt = testRuntime(db.url, broker.url, ledger);
    const report = await recoverRepublishIntents(rt);
    expect(report).toMatchObject({ stale: 1, recovered: 1, abandoned: 0, ledgerComplete: true });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
    expect(await recordState(db.pool, ids[0])).toEqual({ status: 'republished', republish_count: 1, pending_count: 0 });
    const { rows } = await db.pool.query(`SELECT "action", "actor", "details"->>'settledBy' AS "by" FROM "audit_log" WHERE "target" = $1`, [
      `dead-letter:${ids[0]}`,
    ]);
    expect(rows).toEqual([{ action: 'republish', actor: 'olivia@example.com', by: 'recovery' }]);
    // the ledger copy was consumed once settled
    expect((await broker.channel.checkQueue(ledger)).messageCount).toBe(0);
    // a second pass finds nothing to do
    expect(await recoverRepublishIntents(rt)).toMatchObject({ stale: 0, recovered: 0, abandoned: 0 });
  });

  it('closes an intent that never reached the broker without sending anything', async () => {
    const queue = await broker.queue(uniqueName('republish.never'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const deadOwner = String(2_000_000_000 + Math.floor(Math.random() * 100_000_000)); // nobody holds its lock
    const intentId = await insertIntent(db.pool, { deadLetterId: ids[0], queue, owner: deadOwner });
    rt ??= testRuntime(db.url, broker.url, ledger);
    const report = await recoverRepublishIntents(rt);
    expect(report).toMatchObject({ stale: 1, recovered: 0, abandoned: 1 });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(0);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', republish_count: 0, pending_count: 1 });
    const { rows } = await db.pool.query(`SELECT "state" FROM "republish_intents" WHERE "id" = $1`, [intentId]);
    expect(rows[0].state).toBe('abandoned');
    const { rows: audit } = await db.pool.query(`SELECT "action" FROM "audit_log" WHERE "target" = $1`, [`dead-letter:${ids[0]}`]);
    expect(audit).toEqual([{ action: 'republish-abandoned' }]);
  });

  it('leaves the in-flight intent of a live process alone', async () => {
    const queue = await broker.queue(uniqueName('republish.live'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    const live = new IntentOwner(db.url);
    await live.start();
    try {
      const intentId = await insertIntent(db.pool, { deadLetterId: ids[0], queue, owner: live.id });
      rt ??= testRuntime(db.url, broker.url, ledger);
      const report = await recoverRepublishIntents(rt);
      expect(report.stale).toBe(0);
      const { rows } = await db.pool.query(`SELECT "state" FROM "republish_intents" WHERE "id" = $1`, [intentId]);
      expect(rows[0].state).toBe('pending');
    } finally {
      await live.stop();
    }
  });

  it('two passes at once (two processes) settle and note each exchange intent once', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'republish.two-passes', count: 6 });
    const deadOwner = String(2_100_000_000 + Math.floor(Math.random() * 40_000_000));
    await db.pool.query(
      `INSERT INTO "republish_intents" ("dead_letter_id", "republish_number", "target_kind", "exchange", "routing_key", "ledger", "actor", "owner")
       SELECT id, 1, 'exchange', 'edu.events', 'k', false, 'olivia@example.com', $2 FROM unnest($1::uuid[]) AS id`,
      [ids, deadOwner],
    );
    rt ??= testRuntime(db.url, broker.url, ledger);
    const other = testRuntime(db.url, broker.url, ledger);
    try {
      await Promise.all([recoverRepublishIntents(rt), recoverRepublishIntents(other)]);
      const { rows: states } = await db.pool.query<{ state: string }>(`SELECT "state" FROM "republish_intents" WHERE "dead_letter_id" = ANY($1::uuid[])`, [
        ids,
      ]);
      expect(states.map((r) => r.state)).toEqual(ids.map(() => 'abandoned'));
      const { rows: audit } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "audit_log" WHERE "target" = ANY($1::text[]) AND "action" = 'republish-abandoned'`,
        [ids.map((id) => `dead-letter:${id}`)],
      );
      expect(audit[0].n).toBe(ids.length);
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "dead_letter_history" WHERE "dead_letter_id" = ANY($1::uuid[]) AND "action" = 'republish-uncertain' GROUP BY "dead_letter_id"`,
        [ids],
      );
      expect(rows.map((r) => r.n)).toEqual(ids.map(() => 1));
    } finally {
      await other.close();
    }
  });
});

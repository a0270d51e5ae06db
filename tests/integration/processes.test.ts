// Several processes (issue 19): three real workers on one database. Each registers in
// eventdesk_processes; each once-per-cluster duty (retention, republish-recovery) is held by
// exactly one of them, and what the duties act on is done once (the purge counted once, each
// abandoned intent settled once); SIGKILL of a duty's holder moves the duty to another process
// within seconds (its advisory lock goes with its session); GET /api/processes lists the live
// ones; a SIGTERM removes a process's row.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { until } from '../helpers/until';
import { seedDeadLetters } from './republish-fixtures';
import { call, routeEnv, type Handler, type RouteEnv } from './route-handlers';

interface Child {
  proc: ChildProcess;
  output: string;
  exited: Promise<number | null>;
}

let env: RouteEnv;
let broker: TestBroker;
const children: Child[] = [];
let oldIds: string[] = [];
let intentRecords: string[] = [];
let expectedPurgedDeaths = 0;

interface Row {
  pid: number;
  duties: string[];
}
const rows = async (): Promise<Row[]> =>
  (await env.db.pool.query<Row>(`SELECT pid, duties FROM eventdesk_processes WHERE heartbeat_at > now() - interval '30 seconds' ORDER BY pid`)).rows;
const holders = (list: Row[], duty: string) => list.filter((r) => r.duties.includes(duty)).map((r) => r.pid);

beforeAll(async () => {
  env = await routeEnv('processes');
  broker = await createTestBroker();
  const exchange = await broker.exchange(uniqueName('proc-ex'), 'topic');
  const dlq = await broker.queue(uniqueName('proc-dlq'));
  const ledger = uniqueName('proc-ledger');
  broker.track('queue', ledger);

  // for retention: records whose last death is 30 days old (RETENTION_DAYS 7)
  const old = await seedDeadLetters(env.db.pool, { queue: 'proc.consumer', count: 5 });
  oldIds = old.ids;
  await env.db.pool.query(
    `UPDATE dead_letters SET last_failed_at = now() - interval '30 days', first_failed_at = now() - interval '30 days', updated_at = now() - interval '30 days' WHERE id = ANY($1::uuid[])`,
    [oldIds],
  );
  const { rows: deaths } = await env.db.pool.query<{ n: number }>(`SELECT sum(attempts)::int AS n FROM dead_letters WHERE id = ANY($1::uuid[])`, [oldIds]);
  expectedPurgedDeaths = deaths[0].n;
  // for recovery: unfinished republishes to an exchange (no ledger copy) of an owner that is gone
  const fresh = await seedDeadLetters(env.db.pool, { queue: 'proc.consumer', count: 4 });
  intentRecords = fresh.ids;
  await env.db.pool.query(
    `INSERT INTO republish_intents (dead_letter_id, republish_number, target_kind, exchange, routing_key, ledger, actor, owner)
     SELECT id, 1, 'exchange', $2, 'k', false, 'test', '777' FROM unnest($1::uuid[]) AS id`,
    [intentRecords, exchange],
  );

  for (let i = 0; i < 3; i++) {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'processes-child.ts')], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        DATABASE_URL: env.db.url,
        AMQP_URL: broker.url,
        EVENTS_EXCHANGE: exchange,
        DLQ_QUEUE: dlq,
        REPUBLISH_LEDGER_QUEUE: ledger,
        DRAIN: 'true',
        TAP: 'false',
        RETENTION_DAYS: '7',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child: Child = { proc, output: '', exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
    proc.stdout.on('data', (d) => (child.output += d));
    proc.stderr.on('data', (d) => (child.output += d));
    children.push(child);
  }
}, 120_000);

afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await broker?.cleanup();
  await env?.db.drop();
}, 60_000);

const logs = () => children.map((c) => c.output).join('\n');

describe('three processes on one database', () => {
  it('each registers, and each duty is held by exactly one of them', async () => {
    const pids = children.map((c) => c.proc.pid!).sort((a, b) => a - b);
    const list = await until(
      'three rows, both duties held',
      rows,
      (r) => r.length === 3 && holders(r, 'retention').length > 0 && holders(r, 'republish-recovery').length > 0,
      { timeoutMs: 60_000, everyMs: 250 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${logs()}`);
    });
    expect(list.map((r) => r.pid)).toEqual(pids);
    // held by one for a while: the others keep trying and never get it
    for (let i = 0; i < 8; i++) {
      const now = await rows();
      expect(holders(now, 'retention')).toHaveLength(1);
      expect(holders(now, 'republish-recovery')).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 90_000);

  it('runs retention and recovery once: purged and counted once, each intent settled once', async () => {
    await until(
      'the old records purged',
      async () => (await env.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters WHERE id = ANY($1::uuid[])`, [oldIds])).rows[0].n,
      (n) => n === 0,
      { timeoutMs: 30_000, everyMs: 250 },
    );
    const { rows: purged } = await env.db.pool.query<{ n: number }>(
      `SELECT COALESCE(sum(n), 0)::int AS n FROM purged_counts WHERE source = 'processing-errors'`,
    );
    expect(purged[0].n).toBe(expectedPurgedDeaths);
    await until(
      'the intents settled',
      async () => (await env.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM republish_intents WHERE state = 'pending'`)).rows[0].n,
      (n) => n === 0,
      { timeoutMs: 30_000, everyMs: 250 },
    );
    const { rows: notes } = await env.db.pool.query<{ id: string; n: number }>(
      `SELECT dead_letter_id AS id, count(*)::int AS n FROM dead_letter_history
       WHERE dead_letter_id = ANY($1::uuid[]) AND action = 'republish-uncertain' GROUP BY 1`,
      [intentRecords],
    );
    expect(notes).toHaveLength(intentRecords.length);
    expect(notes.every((r) => r.n === 1)).toBe(true);
    const { rows: audits } = await env.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'republish-abandoned'`);
    expect(audits[0].n).toBe(intentRecords.length);
    // one purge pass in the whole cluster logged it
    expect(logs().match(/purged expired dead letters/g) ?? []).toHaveLength(1);
  }, 60_000);

  it('GET /api/processes lists the live processes with their duties', async () => {
    const GET = (await import('@/app/api/processes/route')).GET as Handler;
    const res = await call(GET, 'GET', '/api/processes', { headers: env.tokens.viewer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { pid: number; role: string; host: string; duties: string[]; heartbeatAt: string }[] };
    expect(body.items.map((p) => p.pid).sort((a, b) => a - b)).toEqual(children.map((c) => c.proc.pid!).sort((a, b) => a - b));
    expect(body.items.every((p) => p.role === 'worker' && p.host.length > 0)).toBe(true);
    expect(body.items.flatMap((p) => p.duties).sort()).toEqual(['notify-conditions', 'republish-recovery', 'retention']);
    expect((await call(GET, 'GET', '/api/processes')).status).toBe(401);
    // the public health lists them too, without host and pid
    const health = (await (await call((await import('@/app/api/health/route')).GET, 'GET', '/api/health')).json()) as {
      processes: Record<string, unknown>[];
    };
    expect(health.processes.map((p) => p.id).sort()).toEqual(body.items.map((p) => (p as unknown as { id: string }).id).sort());
    expect(health.processes.every((p) => !('host' in p) && !('pid' in p))).toBe(true);
  });

  it("GET /api/bulk/:id names the process holding the job's lease (its republish owner id)", async () => {
    const { rows: procs } = await env.db.pool.query<{ pid: number; host: string; owner_id: string | null }>(
      `SELECT pid, host, owner_id FROM eventdesk_processes WHERE owner_id IS NOT NULL ORDER BY pid LIMIT 1`,
    );
    expect(procs).toHaveLength(1);
    // paused, so no runner picks it up: only the lease is read
    const { rows: jobs } = await env.db.pool.query<{ id: string }>(
      `INSERT INTO bulk_jobs (action, selection, reason, actor, status, lease_owner, lease_until)
       VALUES ('republish', '{}', 'processes test', 'test', 'paused', $1, now() + interval '1 minute') RETURNING id`,
      [procs[0].owner_id],
    );
    const GET = (await import('@/app/api/bulk/[id]/route')).GET as Handler;
    const res = await call(GET, 'GET', `/api/bulk/${jobs[0].id}`, { headers: env.tokens.viewer, params: { id: jobs[0].id } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { runner: unknown }).runner).toEqual({ host: procs[0].host, pid: procs[0].pid });
    // an expired lease has no runner
    await env.db.pool.query(`UPDATE bulk_jobs SET lease_until = now() - interval '1 second' WHERE id = $1`, [jobs[0].id]);
    const expired = await call(GET, 'GET', `/api/bulk/${jobs[0].id}`, { headers: env.tokens.viewer, params: { id: jobs[0].id } });
    expect(((await expired.json()) as { runner: unknown }).runner).toBeNull();
  });

  it('a lost database session (as in a restart): duties are taken again, heartbeats go on', async () => {
    const before = new Date();
    await env.db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND (application_name = 'eventdesk-registry' OR application_name LIKE 'eventdesk-duty-%')`,
    );
    await until(
      'both duties held again, every process beating',
      async () =>
        (
          await env.db.pool.query<Row & { beat: Date }>(
            `SELECT pid, duties, heartbeat_at AS beat FROM eventdesk_processes WHERE heartbeat_at > now() - interval '30 seconds'`,
          )
        ).rows,
      (r) => r.length === 3 && r.every((p) => p.beat > before) && holders(r, 'retention').length === 1 && holders(r, 'republish-recovery').length === 1,
      { timeoutMs: 20_000, everyMs: 250 },
    );
  }, 30_000);

  it('SIGKILL of a duty holder: another process holds the duty within 15 s', async () => {
    const [holder] = holders(await rows(), 'retention');
    const victim = children.find((c) => c.proc.pid === holder)!;
    const killedAt = Date.now();
    victim.proc.kill('SIGKILL');
    await victim.exited;
    // the killed process's row stays (heartbeat under 30 s old) with what it held: read the others
    const others = async () => (await rows()).filter((r) => r.pid !== holder);
    const alive = await until(
      'another process to take the duties',
      others,
      (r) => holders(r, 'retention').length === 1 && holders(r, 'republish-recovery').length === 1,
      { timeoutMs: 15_000, everyMs: 200 },
    );
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(holders(alive, 'retention')).toHaveLength(1);
    expect(holders(alive, 'republish-recovery')).toHaveLength(1);
  }, 30_000);

  it('SIGTERM removes a process row', async () => {
    const living = children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
    const one = living[0];
    one.proc.kill('SIGTERM');
    expect(await one.exited).toBe(0);
    const { rows: left } = await env.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM eventdesk_processes WHERE pid = $1`, [one.proc.pid]);
    expect(left[0].n).toBe(0);
  }, 30_000);
});

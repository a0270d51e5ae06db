// Several processes drain one DLQ (issue 19): three real `npm run worker` processes
// (processes-child.ts: startBackground('worker')) and this test process as the web (startDrain, as
// the web server runs it) consume one DLQ into one database. 60,000 realistic dead letters (~1 KB,
// x-death) are published while they drain; one worker is SIGKILLed mid-drain with deliveries in
// flight. At the end every message is stored exactly once (no duplicate row, every counter agrees)
// and the DLQ holds nothing, ready or unacked. It fails if a process acked before its COMMIT (the
// killed worker's acked but uncommitted messages would be missing) or if a redelivery were
// stored twice (duplicates).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDrain, type RunningDrain } from '@/lib/runtime/start-drain';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { makeDeadLetter } from './drain-fixtures';
import { count, dlqTopology, expectExactlyOnce, publishAll, queueTotal, testLogger, waitFor } from './drain-helpers';

const N = Number(process.env.DRAIN_WORKERS_N ?? 60_000);

interface Child {
  proc: ChildProcess;
  output: string;
  exited: Promise<number | null>;
}

let broker: TestBroker;
let db: TestDatabase;
let dlq: string;
let web: RunningDrain | undefined;
const children: Child[] = [];

const stored = () => count(db.pool, 'SELECT count(*) FROM dead_letter_messages');
const retentionHolders = async () =>
  (
    await db.pool.query<{ pid: number }>(`SELECT pid FROM eventdesk_processes WHERE 'retention' = ANY(duties) AND heartbeat_at > now() - interval '30 seconds'`)
  ).rows.map((r) => r.pid);
const logs = () => children.map((c) => c.output).join('\n');

beforeAll(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('drainworkers');
  ({ dlq } = await dlqTopology(broker, 'drainworkers'));
  broker.track('queue', `eventdesk.parked.${dlq}`);
  const exchange = await broker.exchange(uniqueName('drainworkers-ex'), 'topic');
  const ledger = uniqueName('drainworkers-ledger');
  broker.track('queue', ledger);

  for (let i = 0; i < 3; i++) {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'processes-child.ts')], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        AMQP_URL: broker.url,
        EVENTS_EXCHANGE: exchange,
        DLQ_QUEUE: dlq,
        REPUBLISH_LEDGER_QUEUE: ledger,
        DRAIN: 'true',
        TAP: 'false',
        // the fixtures died in 2025: the retention duty (which moves when its holder is killed)
        // must not purge them mid-test
        RETENTION_DAYS: '3650',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child: Child = { proc, output: '', exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
    proc.stdout.on('data', (d) => (child.output += d));
    proc.stderr.on('data', (d) => (child.output += d));
    children.push(child);
  }
  // the web process: the drain as the web server starts it, on its own pool and connection
  web = startDrain(
    {
      DATABASE_URL: db.url,
      AMQP_URL: broker.url,
      DLQ_QUEUE: [dlq],
      DLQ_QUEUE_TYPE: 'classic',
      EVENTS_EXCHANGE: exchange,
      DRAIN_PREFETCH: 2000,
      DRAIN_BATCH_SIZE: 500,
      DECLARE_TOPOLOGY: false,
    },
    testLogger,
    () => {},
  );
  // all four consume before anything is published
  await waitFor(async () => (await broker.channel.checkQueue(dlq)).consumerCount === 4, 60_000, 'four consumers on the DLQ').catch((err: Error) => {
    throw new Error(`${err.message}\n${logs()}`);
  });
  await waitFor(async () => (await retentionHolders()).length === 1, 60_000, 'the retention duty held');
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  for (const s of web?.services ?? []) await s.stop();
  await broker?.cleanup();
  await db?.drop();
}, 60_000);

describe('three workers and the web drain one DLQ', () => {
  it(`${N.toLocaleString('en-US')} dead letters, a worker SIGKILLed mid-drain: each stored exactly once, the DLQ empty`, async () => {
    const t0 = performance.now();
    const messages = (function* () {
      for (let i = 0; i < N; i++) yield makeDeadLetter(i, { invalidShare: 0.1 });
    })();
    // published while the four drain: the queue stays deep, so each holds deliveries in flight
    const published = publishAll(broker.connection, dlq, messages);
    const killAt = Math.min(5000, Math.floor(N / 6));
    await waitFor(async () => (await stored()) >= killAt, 60_000, `${killAt} stored`);
    // the worker holding the retention duty: its duty moves to another worker mid-drain too
    const [holder] = await retentionHolders();
    const victim = children.find((c) => c.proc.pid === holder)!;
    expect(victim).toBeDefined();
    // it holds a prefetch's worth of unacked deliveries at this moment (the DLQ is deep)
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const atKill = await stored();
    expect(atKill).toBeLessThan(N);
    expect(await published).toBe(N);
    const tPublished = performance.now();

    await waitFor(async () => (await stored()) >= N && (await queueTotal(dlq)) === 0, 120_000, `${N} stored and the DLQ empty`).catch(async (err: Error) => {
      throw new Error(`${err.message} (stored ${await stored()}, DLQ ${await queueTotal(dlq).catch(() => '?')})\n${logs()}`);
    });
    const tDrained = performance.now();
    // let in-flight acks and any redelivery settle: nothing may come back, nothing be left unacked
    await new Promise((r) => setTimeout(r, 1500));
    expect(await queueTotal(dlq)).toBe(0);
    const { consumerCount } = await broker.channel.checkQueue(dlq);
    expect(consumerCount).toBe(3);

    const { actual, expected } = await expectExactlyOnce(db.pool, N);
    expect(actual).toEqual(expected);
    // no message stored twice (one fingerprint a message), no event twice (one record an event)
    expect(await count(db.pool, `SELECT count(*) FROM (SELECT fingerprint FROM dead_letter_messages GROUP BY 1 HAVING count(*) > 1) d`)).toBe(0);
    expect(await count(db.pool, `SELECT count(*) FROM (SELECT event_key, queue FROM dead_letters GROUP BY 1, 2 HAVING count(*) > 1) d`)).toBe(0);
    expect(await count(db.pool, `SELECT count(DISTINCT event_id) FROM dead_letters`)).toBe(N);
    // the web drained its share, and the survivors are still running
    expect(web!.drainers[0].status().drainedTotal).toBeGreaterThan(0);
    for (const c of children.filter((c) => c !== victim)) expect(c.proc.exitCode).toBeNull();
    await waitFor(async () => (await retentionHolders()).some((pid) => pid !== holder), 30_000, 'another worker to hold retention');
    console.log(
      `drain-several-workers: ${N} messages; killed a worker at ${atKill} stored; published in ${((tPublished - t0) / 1000).toFixed(1)} s; ` +
        `drained in ${((tDrained - t0) / 1000).toFixed(1)} s (${Math.round((N * 1000) / (tDrained - t0))} msg/s); web drained ${web!.drainers[0].status().drainedTotal}`,
    );

    // SIGTERM: the survivors stop cleanly
    for (const c of children.filter((c) => c !== victim)) c.proc.kill('SIGTERM');
    for (const c of children.filter((c) => c !== victim)) expect(await c.exited).toBe(0);
  }, 240_000);
});

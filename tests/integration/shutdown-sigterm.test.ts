// SIGTERM ends `npm run worker` within 15 s in every case: with the broker accepting TCP
// connections but never answering (every broker wait hangs), and with the database's tables
// locked by another session (every database wait hangs until its timeout).
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { ignoreCleanupError } from '../helpers/cleanup';

const root = path.resolve(__dirname, '../..');

/** A TCP server that accepts and then says nothing: a broker (or anything) that hangs. */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Starts the worker, waits until it runs, sends SIGTERM after `runMs`; returns ms to exit. */
async function sigtermWorker(
  env: Record<string, string>,
  runMs: number,
  beforeSignal?: () => Promise<void>,
): Promise<{ ms: number; code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 60_000;
  while (!output.includes('worker running')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, runMs));
  await beforeSignal?.();
  const sent = Date.now();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return { ms: Date.now() - sent, code, output };
}

describe('shutdown on SIGTERM', () => {
  let db: TestDatabase;
  let broker: TestBroker;

  beforeAll(async () => {
    db = await createTestDatabase('shutdown_sigterm');
    db.pool.on('error', () => {});
    broker = await createTestBroker();
  });

  afterAll(async () => {
    await broker?.cleanup();
    await db?.drop();
  });

  it('the worker exits within 15 s while every broker wait hangs', async () => {
    const hole = await blackHole();
    try {
      const { ms, code, output } = await sigtermWorker(
        {
          DATABASE_URL: db.url,
          AMQP_URL: `amqp://guest:guest@127.0.0.1:${hole.port}`,
          DLQ_QUEUE: uniqueName('sigterm.dlq'),
          EVENTS_EXCHANGE: uniqueName('sigterm.ex'),
        },
        2000,
      );
      console.log(`SIGTERM to exit: ${ms} ms, exit code ${code}`);
      expect(ms, output.slice(-3000)).toBeLessThan(15_000);
    } finally {
      await hole.close();
    }
  });

  it('the worker exits within 15 s while its database tables are locked by another session', async () => {
    const ledger = uniqueName('sigterm.ledger');
    broker.track('queue', ledger);
    const dlq = await broker.queue(uniqueName('sigterm.dlq'));
    const exchange = await broker.exchange(uniqueName('sigterm.ex'), 'topic');
    broker.track('queue', `eventdesk.tap.${exchange}`);
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      const { ms, code, output } = await sigtermWorker(
        { DATABASE_URL: db.url, AMQP_URL: broker.url, DLQ_QUEUE: dlq, EVENTS_EXCHANGE: exchange, REPUBLISH_LEDGER_QUEUE: ledger },
        1500,
        async () => {
          await locker.query('BEGIN');
          await locker.query(`LOCK TABLE "bulk_jobs", "dead_letters", "search_backlog", "event_minute_stats", "republish_intents" IN ACCESS EXCLUSIVE MODE`);
          // a message for the drain, whose batch then waits on the locked tables
          broker.channel.sendToQueue(dlq, Buffer.from('{"eventId":"x"}'));
          await new Promise((r) => setTimeout(r, 1500));
        },
      );
      console.log(`SIGTERM to exit: ${ms} ms, exit code ${code}`);
      expect(ms, output.slice(-3000)).toBeLessThan(15_000);
    } finally {
      await locker.query('ROLLBACK').catch(ignoreCleanupError);
      await locker.end();
    }
  });
});

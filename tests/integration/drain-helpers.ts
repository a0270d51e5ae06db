// Shared by the drain integration tests: a DLX -> DLQ topology under unique names, polling, and
// reading back what the drain stored.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';
import pino from 'pino';
import type { ChannelModel, Options } from 'amqplib';
import { uniqueName, type TestBroker } from '../helpers/amqp';

export const run = promisify(execFile);

export async function waitFor<T>(check: () => Promise<T | false | null | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A DLX (fanout) feeding a DLQ, both unique, like the platform's edu.events.dlq. */
export async function dlqTopology(broker: TestBroker, label: string) {
  const dlx = await broker.exchange(uniqueName(`${label}.dlx`), 'fanout');
  const dlq = await broker.queue(uniqueName(`${label}.dlq`), { arguments: { 'x-message-ttl': 604_800_000 } });
  await broker.channel.bindQueue(dlq, dlx, '');
  return { dlx, dlq };
}

export async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query(sql, params);
  return Number(Object.values(rows[0])[0]);
}

/** Closes exactly the drainer's broker connection, found by its connection_name. */
export async function closeBrokerConnection(connectionName: string): Promise<void> {
  // close_connection takes the connection's pid (<rabbit@host.N.M.K>), not its name
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties']);
  const line = stdout.split('\n').find((l) => l.includes(connectionName));
  if (!line) throw new Error(`connection ${connectionName} not found`);
  await run('rabbitmqctl', ['-q', 'close_connection', line.split('\t')[0].trim(), 'drain fault test']);
}

export async function queueDepth(broker: TestBroker, queue: string): Promise<number> {
  return (await broker.channel.checkQueue(queue)).messageCount;
}

/** Quiet unless LOG_LEVEL says otherwise: the drain logs every reconnect at warn. */
export const testLogger = pino({ level: process.env.LOG_LEVEL ?? 'error' });

/** Publishes straight into a queue with confirms, so every message is in it when this resolves. */
export async function publishAll(connection: ChannelModel, queue: string, messages: Iterable<{ body: Buffer; options?: Options.Publish }>) {
  const ch = await connection.createConfirmChannel();
  let n = 0;
  for (const m of messages) {
    if (!ch.sendToQueue(queue, m.body, m.options)) await new Promise((r) => ch.once('drain', r));
    if (++n % 2000 === 0) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  await ch.close();
  return n;
}

/** Every message stored exactly once, and every counter agrees with the rows. */
export async function expectExactlyOnce(pool: pg.Pool, messages: number, records?: number) {
  const { rows } = await pool.query(`SELECT
      (SELECT count(*) FROM dead_letter_messages)::int AS messages,
      (SELECT count(*) FROM dead_letters)::int AS records,
      (SELECT coalesce(sum(attempts), 0) FROM dead_letters)::int AS attempts,
      (SELECT count(*) FROM dead_letter_history)::int AS history,
      (SELECT coalesce(sum(count), 0) FROM failure_groups)::int AS group_deaths,
      (SELECT coalesce(sum(pending_count), 0) FROM failure_groups)::int AS group_pending,
      (SELECT coalesce(sum(count), 0) FROM failure_group_hours)::int AS hour_deaths,
      (SELECT coalesce(sum(dead_lettered), 0) FROM event_minute_stats)::int AS minute_deaths`);
  const r = records ?? messages;
  return {
    actual: rows[0],
    expected: { messages, records: r, attempts: messages, history: messages, group_deaths: messages, group_pending: r, hour_deaths: messages, minute_deaths: messages },
  };
}

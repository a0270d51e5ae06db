// Shared by the drain integration tests: a DLX -> DLQ topology under unique names, polling, and
// reading back what the drain stored.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';
import pino from 'pino';
import type { Channel, ChannelModel, Options } from 'amqplib';
import { uniqueName, type TestBroker } from '../helpers/amqp';
import { deriveBatch, derivationPending } from '@/lib/bus/derive-dead-letters';
import type { PreparedDeath, RawDeath } from '@/lib/bus/prepare-dead-letter';
import type { InboxDeath } from '@/lib/bus/inbox-row';
import { writeRaw } from '@/lib/bus/write-raw';
import { viewerMasking } from '@/lib/mask/viewer-search';

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

/** The second column of the row of a `rabbitmqctl -q list_*` table (tab-separated) whose first is `first`. */
async function rabbitmqctlLookup(args: string[], matches: (first: string) => boolean): Promise<string | undefined> {
  const { stdout } = await run('rabbitmqctl', ['-q', ...args]);
  return stdout
    .split('\n')
    .map((l) => l.split('\t').map((c) => c.trim()))
    .find(([first]) => first !== undefined && matches(first))?.[1];
}

/** Closes exactly the drainer's broker connection, found by its connection_name. */
export async function closeBrokerConnection(connectionName: string): Promise<void> {
  // close_connection takes the connection's pid (<rabbit@host.N.M.K>), not its name
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties']);
  const line = stdout.split('\n').find((l) => l.includes(connectionName));
  if (!line) throw new Error(`connection ${connectionName} not found`);
  await run('rabbitmqctl', ['-q', 'close_connection', line.split('\t')[0].trim(), 'drain fault test']);
}

/** Closes the broker connection of whoever consumes `queue` (a server whose connection name is not known here). */
export async function closeConsumerConnection(queue: string): Promise<void> {
  const channel = await rabbitmqctlLookup(['list_consumers', 'queue_name', 'channel_pid'], (name) => name === queue);
  if (!channel) throw new Error(`no consumer on ${queue}`);
  const connection = await rabbitmqctlLookup(['list_channels', 'pid', 'connection'], (pid) => pid === channel);
  if (!connection) throw new Error(`channel ${channel} not found`);
  await run('rabbitmqctl', ['-q', 'close_connection', connection, 'drain fault test']);
}

export async function queueDepth(broker: TestBroker, queue: string): Promise<number> {
  return (await broker.channel.checkQueue(queue)).messageCount;
}

/**
 * The drain reads every value a client can put on the wire into something storable, so the paths
 * for messages it cannot read or store are tested with made faults: a message with this header is
 * unreadable (the EVENTDESK_TEST_UNREADABLE_HEADER hook of lib/bus/prepare-dead-letter.ts, set for
 * the test process here), and one whose body holds REFUSED_MARKER is refused by a test database
 * that refuseMarkedBodies was run on (23514, a CHECK on the inbox).
 */
export const UNREADABLE_TEST_HEADER = 'x-eventdesk-test-unreadable';
process.env.EVENTDESK_TEST_UNREADABLE_HEADER = UNREADABLE_TEST_HEADER;
export const REFUSED_MARKER = 'refused-by-the-test-database';

export async function refuseMarkedBodies(pool: pg.Pool): Promise<void> {
  await pool.query(`ALTER TABLE dead_letter_inbox ADD CONSTRAINT test_refused_body CHECK (position('${REFUSED_MARKER}'::bytea in body) = 0)`);
}

/** A death as the drain stores it now: raw (its reading is the derivation's: lib/bus/read-inbox.ts). */
export function asRaw(d: PreparedDeath): RawDeath {
  return {
    fingerprint: d.fingerprint,
    bodySha256: d.bodySha256,
    redelivered: d.redelivered,
    routingKey: d.routingKey,
    body: d.body,
    properties: d.properties,
    headers: d.headers,
    unreadable: d.unreadable,
  };
}

/**
 * Stores the deaths as one drain batch (the inbox), then derives everything stored. Rows held back
 * by a transaction still running in this database are waited for (up to 10 s), unless
 * `heldRows: 'leave'` (a test that holds one open on purpose).
 */
export async function drainAndDerive(
  pool: pg.Pool,
  deaths: InboxDeath[],
  dlq = 'edu.events.dlq',
  heldRows: 'wait' | 'leave' = 'wait',
  /** the arrival time the stored rows get, before they are derived (a write that began earlier) */
  receivedAt?: Date,
): Promise<void> {
  const client = await pool.connect();
  try {
    if (!receivedAt) await writeRaw(client, deaths, dlq);
    else {
      // fresh rows only (a single COPY, no transaction of its own): dated in the same transaction
      await client.query('BEGIN');
      await writeRaw(client, deaths, dlq);
      await client.query(`UPDATE dead_letter_inbox SET received_at = $1 WHERE tx = pg_current_xact_id()`, [receivedAt]);
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  for (const deadline = Date.now() + 10_000; ;) {
    while ((await deriveBatch(pool, testLogger)).taken) {
      /* next batch */
    }
    // rows held back by a transaction still running in this database (an autovacuum's ANALYZE
    // takes a transaction id) are derivable once it ends
    if (heldRows === 'leave' || !(await derivationPending(pool))) return;
    if (Date.now() > deadline) throw new Error('stored rows still not derivable after 10 s (a transaction left open in this database?)');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Quiet unless LOG_LEVEL says otherwise: the drain logs every reconnect at warn. */
export const testLogger = pino({ level: process.env.LOG_LEVEL ?? 'error' });

/** The search indexer's masking in tests: MASK_FIELDS' default. */
export const TEST_MASKING = viewerMasking(['email', 'paymentId']);

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
    expected: {
      messages,
      records: r,
      attempts: messages,
      history: messages,
      group_deaths: messages,
      group_pending: r,
      hour_deaths: messages,
      minute_deaths: messages,
    },
  };
}

/**
 * Publishes one message whose headers table is given as raw AMQP bytes (a table amqplib's own
 * encoder cannot build: it recurses, and 5,000 levels overflow it). The frames are written
 * straight to the connection's socket on an open channel of it, so a later publish on that
 * channel is queued behind this one.
 */
export function publishRawHeaders(connection: ChannelModel, channel: Channel, queue: string, headersTable: Buffer, body: Buffer, messageId: string | Buffer) {
  const ch = (channel as unknown as { ch: number }).ch;
  const frame = (type: number, payload: Buffer) => {
    const head = Buffer.alloc(7);
    head.writeUInt8(type, 0);
    head.writeUInt16BE(ch, 1);
    head.writeUInt32BE(payload.length, 3);
    return Buffer.concat([head, payload, Buffer.from([0xce])]);
  };
  // a Buffer is written as it is (bytes that are no UTF-8, which amqplib's encoder cannot send)
  const shortstr = (s: string | Buffer) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);
  // basic.publish (class 60, method 40): ticket, exchange "", routing key, no mandatory/immediate
  const method = Buffer.concat([Buffer.from([0, 60, 0, 40, 0, 0]), shortstr(''), shortstr(queue), Buffer.from([0])]);
  const header = Buffer.alloc(14);
  header.writeUInt16BE(60, 0); // class
  header.writeUInt16BE(0, 2); // weight
  header.writeBigUInt64BE(BigInt(body.length), 4);
  header.writeUInt16BE(0x2000 | 0x0080, 12); // headers, messageId
  const tableLength = Buffer.alloc(4);
  tableLength.writeUInt32BE(headersTable.length);
  const properties = Buffer.concat([header, tableLength, headersTable, shortstr(messageId)]);
  const stream = (connection as unknown as { connection: { stream: { write(b: Buffer): boolean } } }).connection.stream;
  stream.write(Buffer.concat([frame(1, method), frame(2, properties), frame(3, body)]));
}

/** {h: {a: {a: ... "leaf"}}} as AMQP table bytes, `depth` tables deep, built without recursion. */
export function deepHeadersTable(depth: number): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const parts: Buffer[] = [Buffer.from([1]), Buffer.from('aS'), u32(4), Buffer.from('leaf')];
  // each level wraps the previous: key "a", tag F, length; collect prefixes, then one concat
  let size = parts.reduce((n, b) => n + b.length, 0);
  const prefixes: Buffer[] = [];
  for (let i = 1; i < depth; i++) {
    const p = Buffer.concat([Buffer.from([1]), Buffer.from('aF'), u32(size)]);
    prefixes.push(p);
    size += p.length;
  }
  const top = Buffer.concat([Buffer.from([1]), Buffer.from('hF'), u32(size)]);
  return Buffer.concat([top, ...prefixes.reverse(), ...parts]);
}

/** Messages in a queue, ready AND delivered-but-unacked (a passive checkQueue counts only the ready ones). */
export async function queueTotal(queue: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'messages']);
  const line = stdout.split('\n').find((l) => l.split('\t')[0] === queue);
  if (!line) throw new Error(`queue ${queue} not found`);
  return Number(line.split('\t')[1]);
}

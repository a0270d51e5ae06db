// Quorum queues end to end against the real broker (RabbitMQ 3.10 here): a quorum DLQ declared by
// DECLARE_TOPOLOGY=true with DLQ_QUEUE_TYPE=quorum and drained by the real Drainer; a quorum
// consumer queue with x-delivery-limit 2 whose message, nacked with requeue until the limit, is
// dead-lettered by RabbitMQ with reason delivery_limit and stored with it; then republished to
// that quorum queue through the real republish action (confirms, mandatory, the ledger copy),
// where it arrives exactly once.
import { randomUUID } from 'node:crypto';
import type { GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import { Drainer } from '@/lib/bus/drainer';
import { declareTopology } from '@/lib/bus/dlq-topology';
import { recoverRepublishIntents } from '@/lib/jobs/recover-republish-intents';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import pino from 'pino';
import { DEMO_DEFAULTS } from '@/lib/demo/demo-options';
import { runDemo } from '@/lib/demo/run-demo';
import { demoMarkerQueue, teardownDemo } from '@/lib/demo/teardown';
import { PLATFORM_CONSUMERS } from '@/lib/platform/consumers';
import { deadLetterExchangeName, retryQueueNames } from '@/lib/platform/topology';
import { createTestBroker, TEST_AMQP_URL, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { count, publishAll, run, testLogger, waitFor } from './drain-helpers';
import { makeDeadLetter } from './drain-fixtures';
import { actionErrorOf } from './actions-fixtures';
import { deaths, drainQueue } from './platform-fixture';
import { recordState, testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

let broker: TestBroker;
let db: TestDatabase;
let exchange: string;
let dlx: string;
let dlq: string;
let consumerQueue: string;
let ledger: string;
let drainer: Drainer;
let rt: RepublishRuntime;

async function queueType(name: string): Promise<string | undefined> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'type', '--no-table-headers']);
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find(([n]) => n === name)?.[1];
}

beforeAll(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('quorum');
  exchange = uniqueName('quorum.events');
  dlq = uniqueName('quorum.dlq');
  broker.track('exchange', exchange);
  broker.track('queue', dlq);
  // EventDesk declares the missing DLQ itself, as a quorum queue
  drainer = new Drainer({
    amqpUrl: broker.url,
    queue: dlq,
    exchange,
    databaseUrl: db.url,
    batchSize: 50,
    lingerMs: 10,
    declareTopology: true,
    dlqQueueType: 'quorum',
    logger: testLogger,
  });
  await drainer.start();
  await waitFor(async () => drainer.status().dlqMissing === false && (await queueType(dlq)), 20_000, 'the quorum DLQ');
  dlx = await broker.exchange(uniqueName('quorum.dlx'), 'fanout');
  await broker.channel.bindQueue(dlq, dlx, '');
  consumerQueue = await broker.queue(uniqueName('quorum.grading-service'), {
    arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 2, 'x-dead-letter-exchange': dlx },
  });
  ledger = uniqueName('quorum.ledger');
  broker.track('queue', ledger);
  rt = testRuntime(db.url, broker.url, ledger, { eventsExchange: exchange });
});

afterAll(async () => {
  await rt?.close();
  await drainer?.stop();
  await broker?.cleanup();
  await db?.drop();
});

describe('quorum queues', () => {
  it('DECLARE_TOPOLOGY declares a missing DLQ as quorum and leaves an existing one as it is', async () => {
    expect(await queueType(dlq)).toBe('quorum');
    // a classic declare of the existing quorum DLQ would be PRECONDITION_FAILED: it is not asserted
    await expect(declareTopology(broker.connection, exchange, dlq, 'classic')).resolves.toBeUndefined();
    expect(await queueType(dlq)).toBe('quorum');
    expect(drainer.status()).toMatchObject({ dlqMissing: false });
  });

  it('stores a message dead-lettered at the delivery limit with reason delivery_limit, then republishes it once', async () => {
    const eventId = randomUUID();
    const body = Buffer.from(
      JSON.stringify({
        eventId,
        eventType: 'user.created',
        timestamp: '2026-11-27T10:00:00Z',
        version: '1.0',
        source: 'user-service',
        data: { userId: 'user123', email: 'a@example.com', firstName: 'A', lastName: 'B', role: 'STUDENT' },
      }),
    );
    const confirm = await broker.connection.createConfirmChannel();
    confirm.sendToQueue(consumerQueue, body, {
      contentType: 'application/json',
      messageId: 'q-1',
      persistent: true,
      headers: { 'x-last-error': 'grader down' },
    });
    await confirm.waitForConfirms();
    await confirm.close();

    // a consumer that nacks with requeue: delivered 3 times (x-delivery-count absent, 1, 2), then dead-lettered
    const seen: (number | undefined)[] = [];
    const ch = await broker.connection.createChannel();
    const { consumerTag } = await ch.consume(consumerQueue, (m) => {
      if (!m) return;
      seen.push(m.properties.headers?.['x-delivery-count'] as number | undefined);
      ch.nack(m, false, true);
    });

    const row = await waitFor(
      async () => (await db.pool.query('SELECT * FROM dead_letters WHERE event_key = $1', [eventId])).rows[0],
      20_000,
      'the delivery_limit dead letter',
    );
    await ch.cancel(consumerTag);
    await ch.close();
    expect(seen).toEqual([undefined, 1, 2]);
    expect(row).toMatchObject({
      queue: consumerQueue,
      reason: 'delivery_limit',
      status: 'pending',
      attempts: 1,
      error_message: 'grader down',
      validation_status: 'valid',
    });
    const { rows: messages } = await db.pool.query('SELECT * FROM dead_letter_messages WHERE dead_letter_id = $1', [row.id]);
    expect(messages).toHaveLength(1);
    expect(Buffer.compare(messages[0].body, body)).toBe(0);
    expect(messages[0].deaths[0]).toMatchObject({ queue: consumerQueue, reason: 'delivery_limit', count: 1, exchange: '', routingKeys: [consumerQueue] });
    expect(messages[0].headers['x-first-death-reason']).toBe('delivery_limit');
    // RabbitMQ 3.10 drops the consumer queue's x-delivery-count when it dead-letters: the headers
    // carry only the quorum DLQ's own count, absent on the drain's first delivery
    expect(messages[0].headers['x-delivery-count']).toBeUndefined();
    const { rows: groups } = await db.pool.query('SELECT "reason", "count" FROM "failure_groups" WHERE "id" = $1', [row.group_id]);
    expect(groups).toEqual([{ reason: 'delivery_limit', count: 1 }]);
    await waitFor(async () => (await broker.channel.checkQueue(dlq)).messageCount === 0, 10_000, 'the DLQ drained and acked');

    // republish to origin: the default exchange to the quorum queue, confirmed, with a ledger copy
    const result = await republishOne(rt, { deadLetterId: row.id, actor: operator, reason: 'grader fixed' });
    expect(result).toMatchObject({ status: 'republished', target: { kind: 'origin', exchange: '', routingKey: consumerQueue }, republishCount: 1 });
    expect((await broker.channel.checkQueue(consumerQueue)).messageCount).toBe(1);
    expect((await broker.channel.checkQueue(ledger)).messageCount).toBe(1);
    const msg = (await broker.channel.get(consumerQueue, { noAck: true })) as GetMessage;
    expect(Buffer.compare(msg.content, body)).toBe(0);
    const headers = msg.properties.headers!;
    expect(Object.keys(headers).filter((h) => /^x-(death|first-death-|last-death-)/.test(h))).toEqual([]);
    expect(headers['x-eventdesk-republish-count']).toBe(1);
    expect(headers['x-delivery-count']).toBeFalsy();
    expect(await broker.channel.get(consumerQueue, { noAck: true })).toBe(false);
    expect(await recordState(db.pool, row.id)).toMatchObject({ status: 'republished', republish_count: 1 });
    expect(await recoverRepublishIntents(rt)).toMatchObject({ stale: 0, ledgerAcked: 1, ledgerComplete: true });
    expect((await broker.channel.checkQueue(ledger)).messageCount).toBe(0);
  });

  it('a redelivery from a quorum DLQ, stamped x-delivery-count by it, is not stored twice', async () => {
    const qdlq = await broker.queue(uniqueName('quorum.dlq2'), { arguments: { 'x-queue-type': 'quorum' } });
    const letter = makeDeadLetter(0);
    const eventId = JSON.parse(letter.body.toString()).eventId as string;
    const drain = (label: string) =>
      new Drainer({ amqpUrl: broker.url, queue: qdlq, databaseUrl: db.url, batchSize: 50, lingerMs: 10, logger: testLogger, connectionName: label });
    const first = drain('eventdesk-drain-quorum-1');
    await first.start();
    await publishAll(broker.connection, qdlq, [letter]);
    await waitFor(async () => (await count(db.pool, 'SELECT count(*) FROM dead_letters WHERE event_key = $1', [eventId])) === 1, 20_000, 'the first copy');
    await first.stop();

    // the same message again, taken and given back unacked: the DLQ redelivers it with x-delivery-count 1
    await publishAll(broker.connection, qdlq, [letter]);
    const taker = await broker.connection.createChannel();
    expect(await taker.get(qdlq, { noAck: false })).toBeTruthy();
    await taker.close();
    const peek = await broker.connection.createChannel();
    const again = (await peek.get(qdlq, { noAck: false })) as GetMessage;
    expect(again.fields.redelivered).toBe(true);
    expect(again.properties.headers?.['x-delivery-count']).toBeGreaterThanOrEqual(1);
    await peek.close();

    const second = drain('eventdesk-drain-quorum-2');
    await second.start();
    try {
      await waitFor(async () => (await broker.channel.checkQueue(qdlq)).messageCount === 0, 20_000, 'the redelivery drained');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await second.stop();
    }
    expect(
      await count(db.pool, 'SELECT count(*) FROM dead_letter_messages m JOIN dead_letters d ON d.id = m.dead_letter_id WHERE d.event_key = $1', [eventId]),
    ).toBe(1);
    expect((await db.pool.query('SELECT "attempts" FROM dead_letters WHERE event_key = $1', [eventId])).rows).toEqual([{ attempts: 1 }]);
  });

  it('refuses a republish to a quorum queue that no longer exists', async () => {
    const gone = await broker.queue(uniqueName('quorum.gone'), { arguments: { 'x-queue-type': 'quorum' } });
    const { rows } = await db.pool.query('SELECT "id" FROM dead_letters WHERE "queue" = $1', [consumerQueue]);
    expect(rows).toHaveLength(1);
    await broker.channel.deleteQueue(gone);
    // the same passive check and mandatory flag as for a classic queue: nothing is sent
    await db.pool.query(`UPDATE dead_letters SET "status" = 'pending', "queue" = $2 WHERE "id" = $1`, [rows[0].id, gone]);
    const refused = await actionErrorOf(republishOne(rt, { deadLetterId: rows[0].id, actor: operator, reason: 'to a deleted queue' }));
    expect(refused).toMatchObject({ kind: 'conflict', details: { reason: 'unroutable' } });
    expect(await recordState(db.pool, rows[0].id)).toMatchObject({ status: 'pending' });
  });
});

describe('demo with --queue-type quorum', () => {
  it('declares every queue as quorum and still dead-letters with rejected, expired and maxlen', async () => {
    const exchange = uniqueName('qdemo.x');
    const demoDlq = uniqueName('qdemo.dlq');
    const prefix = `${uniqueName('qdemo')}.`;
    broker.track('exchange', exchange);
    broker.track('exchange', deadLetterExchangeName(exchange));
    broker.track('queue', demoDlq);
    broker.track('queue', demoMarkerQueue(exchange)); // run-demo marks what it declared
    const retryDelaysMs = [100, 200, 400];
    for (const s of PLATFORM_CONSUMERS) {
      broker.track('queue', prefix + s.name);
      for (const q of retryQueueNames(prefix + s.name, retryDelaysMs)) broker.track('queue', q);
    }
    const result = await runDemo({
      ...DEMO_DEFAULTS,
      amqpUrl: TEST_AMQP_URL,
      exchange,
      dlq: demoDlq,
      servicePrefix: prefix,
      rate: 200,
      count: 500,
      failRatio: 0.05,
      retryDelaysMs,
      timeoutMs: 300,
      maxLength: 2,
      expirationMs: 150,
      queueType: 'quorum',
      print: () => {},
      logger: pino({ level: 'silent' }),
    });
    expect(result.topology.queues).toHaveLength(1 + PLATFORM_CONSUMERS.length * 4);
    const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'type', '--no-table-headers']);
    const types = new Map(stdout.split('\n').map((l) => l.trim().split(/\s+/) as [string, string]));
    for (const q of result.topology.queues) expect([q, types.get(q)]).toEqual([q, 'quorum']);
    expect(result.stats.retried).toBeGreaterThanOrEqual(3 + 3 + 2);

    const dead = await drainQueue(broker, demoDlq);
    const causes = dead.map((m) => deaths(m)[0]);
    expect([...new Set(causes.map((d) => d.reason))].sort()).toEqual(expect.arrayContaining(['expired', 'maxlen', 'rejected']));
    expect(causes.some((d) => d.reason === 'expired' && d.queue === `${prefix}search-service`)).toBe(true);

    // --teardown: quorum queues refuse if-empty/if-unused deletes (NOT_IMPLEMENTED closes the
    // connection); a non-empty quorum DLQ is kept, an empty one deleted
    const teardown = { amqpUrl: TEST_AMQP_URL, exchange, dlq: demoDlq, servicePrefix: prefix, retryDelaysMs };
    broker.channel.sendToQueue(demoDlq, Buffer.from('{}'));
    await waitFor(async () => (await broker.channel.checkQueue(demoDlq)).messageCount === 1, 5_000, 'a dead letter in the DLQ');
    const kept = await teardownDemo(teardown);
    expect(kept.keptDlq).toMatchObject({ name: demoDlq, messages: 1, consumers: 0 });
    expect(kept.deletedQueues).toHaveLength(PLATFORM_CONSUMERS.length * 4);
    await broker.channel.purgeQueue(demoDlq);
    const removed = await teardownDemo(teardown);
    expect(removed.keptDlq).toBeNull();
    expect(removed.deletedQueues).toContain(demoDlq);
    const after = await broker.connection.createChannel();
    after.on('error', () => {});
    await expect(after.checkQueue(demoDlq)).rejects.toThrow(/NOT_FOUND|404/);
  });
});

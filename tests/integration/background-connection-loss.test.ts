// Background duties survive what an incident does to their connections: the tap's consumer
// cancelled by the broker (its queue deleted) restarts; the tap's flush, the search indexer,
// retention and intent recovery go on after pg_terminate_backend of their sessions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { logger } from '@/lib/log';
import { Tap } from '@/lib/bus/tap';
import { startRetention } from '@/lib/bus/retention';
import { startSearchIndexer } from '@/lib/bus/search-indexer';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import { recoverRepublishIntents } from '@/lib/jobs/recover-republish-intents';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { until } from '../helpers/until';
import { seedDeadLetters, testRuntime } from './republish-fixtures';
import { ignoreCleanupError } from '../helpers/cleanup';

const log = logger.child({ test: 'background-connection-loss' });

describe('background duties survive dropped connections', () => {
  let db: TestDatabase;
  let broker: TestBroker;

  async function kill(applicationName: string): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()`,
      [db.name, applicationName],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    db = await createTestDatabase('background_connloss');
    db.pool.on('error', () => {});
    broker = await createTestBroker();
  });

  afterAll(async () => {
    await broker?.cleanup();
    await db?.drop();
  });

  it('tap consumer cancelled (its queue deleted) -> the tap restarts and counts again; its flush survives a killed backend', async () => {
    const exchange = await broker.exchange(uniqueName('bg.tap.ex'), 'topic');
    const queueName = uniqueName('bg.tap.q');
    broker.track('queue', queueName);
    const tap = new Tap({ amqpUrl: broker.url, exchange, databaseUrl: db.url, queueName, autoDelete: false, flushIntervalMs: 100, logger: log });
    await tap.start();
    try {
      await tap.ready();
      broker.channel.publish(exchange, 'user.created', Buffer.from('{}'));
      await until(
        'the first count',
        () => Promise.resolve(tap.totals.get('user.created') ?? 0),
        (n) => n === 1,
        { timeoutMs: 10_000 },
      );

      await broker.channel.deleteQueue(queueName); // the broker cancels the tap's consumer
      await until(
        'the tap consuming again',
        async () => {
          // a channel per look: a passive check of a missing queue closes its channel
          const ch = await broker.connection.createChannel();
          ch.on('error', () => {});
          const q = await ch.checkQueue(queueName).catch(() => null);
          await ch.close().catch(ignoreCleanupError);
          return q?.consumerCount ?? 0;
        },
        (n) => n === 1,
        { timeoutMs: 20_000, everyMs: 200 },
      );
      expect(tap.status().state).toBe('running');

      await until(
        'the flush of the first count',
        async () => (await db.pool.query(`SELECT coalesce(sum("published"), 0)::int AS n FROM "event_minute_stats"`)).rows[0].n,
        (n) => n === 1,
        { timeoutMs: 10_000 },
      );
      expect(await kill('eventdesk-tap')).toBeGreaterThanOrEqual(0);
      broker.channel.publish(exchange, 'user.created', Buffer.from('{}'));
      await until(
        'the second count, counted and written',
        async () => (await db.pool.query(`SELECT coalesce(sum("published"), 0)::int AS n FROM "event_minute_stats"`)).rows[0].n,
        (n) => n === 2,
        {
          timeoutMs: 15_000,
          everyMs: 100,
        },
      );
    } finally {
      await tap.stop();
    }
  });

  it('the search indexer survives a killed backend', async () => {
    const queue = uniqueName('bg.search');
    const indexer = startSearchIndexer(db.url, log, ['email', 'paymentId']);
    try {
      const { ids } = await seedDeadLetters(db.pool, { queue });
      await until(
        'the indexer connected',
        () => kill('eventdesk-search-indexer'),
        (n) => n > 0,
        { timeoutMs: 10_000, everyMs: 100 },
      );
      await db.pool.query(`INSERT INTO "search_backlog" ("dead_letter_id", "search_text") VALUES ($1, 'capybara unavailable')`, [ids[0]]);
      indexer.kick();
      await until(
        'the document indexed',
        async () => (await db.pool.query(`SELECT count(*)::int AS n FROM "dead_letter_search" WHERE "dead_letter_id" = $1`, [ids[0]])).rows[0].n,
        (n) => n === 1,
        {
          timeoutMs: 20_000,
          everyMs: 100,
        },
      );
    } finally {
      await indexer.stop();
    }
  });

  it('retention survives a killed backend', async () => {
    const pool = guardPool(new pg.Pool({ connectionString: db.url, max: 2, ...dbTimeouts(), application_name: 'eventdesk-test-retention' }), () => {});
    const retention = startRetention(pool, 7, log, 200);
    try {
      await until(
        'retention connected',
        () => kill('eventdesk-test-retention'),
        (n) => n > 0,
        { timeoutMs: 10_000, everyMs: 50 },
      );
      const { ids } = await seedDeadLetters(db.pool, { queue: uniqueName('bg.retention') });
      await db.pool.query(
        `UPDATE "dead_letters" SET "last_failed_at" = now() - interval '30 days', "updated_at" = now() - interval '30 days' WHERE "id" = $1`,
        [ids[0]],
      );
      await until(
        'the old record purged',
        async () => (await db.pool.query(`SELECT count(*)::int AS n FROM "dead_letters" WHERE "id" = $1`, [ids[0]])).rows[0].n,
        (n) => n === 0,
        {
          timeoutMs: 20_000,
          everyMs: 100,
        },
      );
    } finally {
      await retention.stop();
      await pool.end();
    }
  });

  it('intent recovery survives a killed backend', async () => {
    const ledger = uniqueName('bg.ledger');
    broker.track('queue', ledger);
    const rt = testRuntime(db.url, broker.url, ledger);
    try {
      await rt.owner.start();
      expect(await recoverRepublishIntents(rt)).toMatchObject({ stale: 0 });
      expect(await kill('eventdesk-republish')).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(await recoverRepublishIntents(rt)).toMatchObject({ stale: 0 });
    } finally {
      await rt.close();
    }
  });
});

// Store first, derive after (issue 20): a dead letter stored by the drain but not yet derived is
// never lost (the drain process dies between the two stages), and a derivation batch killed
// halfway (SIGKILL inside its transaction) is derived again exactly once: every record once,
// every count exact. The drain comes first: a drainer with more than it can write says so, and the
// deriver rests between batches meanwhile, never starving.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Drainer } from '@/lib/bus/drainer';
import { readDerivationLag } from '@/lib/bus/derive-dead-letters';
import { Deriver } from '@/lib/bus/deriver';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { writeRaw } from '@/lib/bus/write-raw';
import { createTestBroker, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { ignoreCleanupError } from '../helpers/cleanup';
import { asDelivery, makeDeadLetter } from './drain-fixtures';
import { count, dlqTopology, expectExactlyOnce, publishAll, queueDepth, testLogger, waitFor } from './drain-helpers';

let broker: TestBroker;
let db: TestDatabase;
let dlq: string;
const children: ChildProcess[] = [];
const drainers: Drainer[] = [];

beforeEach(async () => {
  broker = await createTestBroker();
  db = await createTestDatabase('drainderive');
  ({ dlq } = await dlqTopology(broker, 'drainderive'));
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of drainers.splice(0)) await d.stop();
  await broker.cleanup();
  await db.drop();
});

const fixtures = (n: number) => Array.from({ length: n }, (_, i) => makeDeadLetter(i, { invalidShare: 0.1 }));

function drainerProcess(options: Record<string, unknown>, env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(process.cwd(), 'scripts/run-drainer.ts'),
      JSON.stringify({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, prefetch: 500, batchSize: 100, ...options }),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'error', ...env } },
  );
  children.push(child);
  return { child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
}

const inbox = () => count(db.pool, 'SELECT count(*) FROM dead_letter_inbox');
const records = () => count(db.pool, 'SELECT count(*) FROM dead_letters');

describe('store first, derive after', () => {
  it('a dead letter stored but not derived survives the death of the process: a restart derives it, once', async () => {
    const n = 3000;
    await publishAll(broker.connection, dlq, fixtures(n));
    // a drain that only stores (its deriver is elsewhere), killed once everything is stored and acked
    const storing = drainerProcess({ derive: false });
    await waitFor(async () => (await inbox()) === n && (await queueDepth(broker, dlq)) === 0, 60_000, 'all stored in the inbox, the DLQ empty');
    storing.child.kill('SIGKILL');
    await storing.exited;
    expect(await records()).toBe(0);
    // stored raw: the drain read nothing of them but their fingerprint (the derivation reads the rest)
    const stored = await db.pool.query<{ raw: number; timed: number }>(
      `SELECT count(*) FILTER (WHERE prepared LIKE '{"raw":true,%')::int AS raw, count(failed_at)::int AS timed FROM dead_letter_inbox`,
    );
    expect(stored.rows[0]).toEqual({ raw: n, timed: 0 });
    const lag = await readDerivationLag(db.pool);
    expect(lag.messages).toBe(n);
    expect(lag.seconds).toBeGreaterThanOrEqual(0);

    const d = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, logger: testLogger });
    drainers.push(d);
    await d.start();
    await waitFor(async () => (await records()) === n, 60_000, 'every record derived after the restart');
    await waitFor(async () => (await inbox()) === 0, 10_000, 'the inbox empty');
    const { actual, expected } = await expectExactlyOnce(db.pool, n);
    expect(actual).toEqual(expected);
    expect((await readDerivationLag(db.pool)).messages).toBe(0);
    expect((await readDerivationLag(db.pool)).derivedTotal).toBe(n);
  }, 120_000);

  it('SIGKILL in the middle of a derivation batch: derived again, every record once, counts exact', async () => {
    const n = 4000;
    await publishAll(broker.connection, dlq, fixtures(n));
    // this process's derivation sleeps inside its transaction after writing the derived rows
    const killed = drainerProcess({}, { EVENTDESK_TEST_DERIVE_PAUSE_MS: '8000' });
    await waitFor(
      async () =>
        (await count(db.pool, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'`, [db.name])) ===
        1,
      60_000,
      'a derivation batch written and paused before its COMMIT',
    );
    // what the paused batch wrote is not visible to anyone
    expect(await records()).toBe(0);
    killed.child.kill('SIGKILL');
    await killed.exited;
    // its backend goes with its connection; the next deriver finds the watermark free
    await waitFor(async () => (await queueDepth(broker, dlq)) + (await inbox()) >= n, 30_000, 'everything stored or back in the DLQ');

    const d = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, logger: testLogger });
    drainers.push(d);
    await d.start();
    await waitFor(async () => (await records()) === n && (await queueDepth(broker, dlq)) === 0, 90_000, 'every record derived');
    await waitFor(async () => (await inbox()) === 0, 10_000, 'the inbox empty');
    const { actual, expected } = await expectExactlyOnce(db.pool, n);
    expect(actual).toEqual(expected);
  }, 180_000);

  // the second: a batch of one row (light traffic, or a message over READ_BYTES) is a batch too
  it.each([
    { n: 1200, fatalAt: 777, where: 'among 1,200' },
    { n: 1, fatalAt: 0, where: 'alone in its batch' },
  ])(
    'a message whose reading kills the process ($where): after four deaths it is set aside unread, everything else derived once',
    async ({ n, fatalAt }) => {
      const fatalHeader = 'x-eventdesk-test-fatal';
      const messages = fixtures(n);
      const fatal = messages[fatalAt];
      fatal.options = { ...fatal.options, headers: { ...fatal.options?.headers, [fatalHeader]: 'reading this kills the process' } };
      await publishAll(broker.connection, dlq, messages);
      // a supervisor (systemd, Kubernetes): the process is started again each time it dies
      let deaths = 0;
      for (;;) {
        const p = drainerProcess({}, { EVENTDESK_TEST_FATAL_HEADER: fatalHeader });
        // the wait ends with the race (a death), or it would poll the DLQ on after this test
        // deleted it: a 404 that closed the broker channel, an error outside any test
        let raced = false;
        const outcome = await Promise.race([
          p.exited.then(() => 'died' as const),
          waitFor(async () => raced || ((await records()) === n && (await queueDepth(broker, dlq)) === 0), 120_000, 'every record derived').then(
            () => 'done' as const,
          ),
        ]);
        raced = true;
        if (outcome === 'done') break;
        deaths++;
        // without the guard it dies on the same message on every start
        expect(deaths, 'deaths of the process').toBeLessThanOrEqual(4);
      }
      // its batch twice (the first could be any death: tried again as it was), then the message alone twice
      expect(deaths).toBe(4);
      const { rows } = await db.pool.query<{ status: string; unreadable_reason: string; queue: string; body: Buffer }>(
        `SELECT d.status, d.unreadable_reason, d.queue, m.body FROM dead_letters d JOIN dead_letter_messages m ON m.dead_letter_id = d.id WHERE d.status = 'unreadable'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].unreadable_reason).toBe('the process died 4 times while deriving it (out of memory, or a crash while reading it): set aside unread');
      // its bytes kept, exactly as received, and where it died (its headers, small, are read)
      expect(rows[0].body.equals(fatal.body)).toBe(true);
      expect(rows[0].queue).toBe(fatal.options?.headers?.['x-death'][0].queue);
      await waitFor(async () => (await readDerivationLag(db.pool)).messages === 0, 30_000, 'nothing left to derive');
      const { actual, expected } = await expectExactlyOnce(db.pool, n);
      // an unreadable record is in no failure group and no rollup (as one the drain parks)
      expect(actual).toEqual({ ...expected, group_deaths: n - 1, group_pending: n - 1, hour_deaths: n - 1, minute_deaths: n - 1 });
    },
    300_000,
  );

  it('a drainer whose writes cannot keep up says it is busy; once they can, it is not', async () => {
    const n = 1000;
    await publishAll(broker.connection, dlq, fixtures(n));
    // the inbox refuses writes for now: a SHARE lock waits out the drain's COPY
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE dead_letter_inbox IN SHARE MODE');
      const d = new Drainer({ amqpUrl: broker.url, queue: dlq, databaseUrl: db.url, logger: testLogger, prefetch: 400, batchSize: 100 });
      drainers.push(d);
      expect(d.busy()).toBe(false);
      await d.start();
      await waitFor(async () => d.busy(), 30_000, 'the drainer holding half its prefetch and more');
      await holder.query('COMMIT');
      await waitFor(async () => (await records()) === n, 60_000, 'every record derived');
      expect(d.busy()).toBe(false);
    } finally {
      await holder.query('ROLLBACK').catch(ignoreCleanupError);
      holder.release();
    }
    const { actual, expected } = await expectExactlyOnce(db.pool, n);
    expect(actual).toEqual(expected);
  }, 120_000);

  /** Stores n fixtures as read already (one inbox batch). */
  async function storeRead(n: number): Promise<void> {
    const client = await db.pool.connect();
    try {
      await writeRaw(
        client,
        fixtures(n).map((m, i) => prepareDeadLetter(asDelivery(m, i + 1, dlq))),
        dlq,
      );
    } finally {
      client.release();
    }
  }

  /** Runs the deriver until all n records are listed (its yieldTo says the drain stays busy). */
  async function deriveAllUnderBusyDrain(deriver: Deriver, n: number): Promise<void> {
    deriver.start();
    try {
      await waitFor(async () => (await records()) === n, 60_000, 'every record derived under a drain that stays busy');
    } finally {
      await deriver.stop();
    }
  }

  it('the deriver rests after each batch while a drain is busy, and still derives everything', async () => {
    const n = 300;
    await storeRead(n);
    const deriver = new Deriver(db.pool, testLogger, { batchSize: 50 });
    const asked: number[] = [];
    // a drain that is always busy: the deriver asks after each batch, and rests
    deriver.yieldTo(() => {
      asked.push(deriver.derivedTotal);
      return true;
    });
    await deriveAllUnderBusyDrain(deriver, n);
    // asked once after each batch of 50, with what was derived by then
    expect(asked).toEqual([50, 100, 150, 200, 250, 300]);
    // nothing stored by a drainer of this process: always keeping up, a rest after each batch
    expect(deriver.restsTaken).toBe(6);
  }, 120_000);

  it('while the drain is busy, the deriver rests only once it has derived half of what the drain stored since', async () => {
    const n = 300;
    await storeRead(n);
    const deriver = new Deriver(db.pool, testLogger, { batchSize: 50 });
    // a drain that is always busy, and stored these 300 (as a drainer's commit says it)
    const restsAt: number[] = [];
    deriver.yieldTo(() => {
      restsAt.push(deriver.restsTaken);
      return true;
    });
    deriver.noteStored(n);
    await deriveAllUnderBusyDrain(deriver, n);
    // no rest after 50 and 100 derived (behind half of 300), one after each of 150 ... 300
    expect(deriver.restsTaken).toBe(4);
    expect(restsAt).toEqual([0, 0, 0, 1, 2, 3]);
  }, 120_000);
});

// `npm run bench:derive` (issue 20): the derivation alone, the stage that turns stored dead letters
// into records, groups, counts, history and the search backlog (lib/bus/derive-dead-letters.ts).
// Fills a unique queue with the same ~1 KB dead letters as bench:drain, measures the broker's
// ceiling (a) on them as bench:drain does, stores them raw in a fresh database as the drain would
// (lib/bus/write-raw.ts), then derives them all, nothing else running, and prints the rate and the
// CPU a message per program.
// Why it matters: bench:drain's (c), every record listed within 1.5x the drain's time, leaves the
// derivation half the drain's time for what it did not derive while draining. At b = 0.5 x a and
// with a third derived while draining (bench:drain measures that share), the derivation alone must
// run at 2 x (2/3) x 0.5 = 0.67 of the broker's ceiling. The last line is
// `RATIO derive=<rate/a> target=0.67 PASS|FAIL`; the exit code is 0 either way.
//   BENCH_N=100000 npm run bench:derive
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import amqp, { type ConsumeMessage } from 'amqplib';
import pg from 'pg';
import pino from 'pino';
import { DERIVE_BATCH, deriveBatch } from '@/lib/bus/derive-dead-letters';
import { rawDeadLetter } from '@/lib/bus/prepare-dead-letter';
import type { InboxBatch } from '@/lib/bus/read-inbox';
import { writeRaw } from '@/lib/bus/write-raw';
import { dropDatabase, ensureDatabase } from '@/lib/db/ensure-database';
import { migrate } from '@/lib/db/migrate';
import { observed } from '@/lib/observed';
import { ignoreCleanupError } from '../tests/helpers/cleanup';
import { describeCpu, measureCpu } from './cpu-usage';
import { bareConsume, fill } from './dead-letter-burst';

const N = Number(process.env.BENCH_N ?? 100_000);
const PREFETCH = 2000;
/** drain batches the messages are stored in (the drain's default) */
const STORE_BATCH = 500;
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PG_SERVER = process.env.BENCH_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const TARGET_RATIO = 0.67;

const suffix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const queue = `bench.derive.${suffix}`;
const databaseUrl = `${PG_SERVER}/eventdesk_bench_derive_${suffix}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(`bench:derive  N=${fmt(N)} messages (~1 KB, 6 event types, x-death headers, 10% invalid), derivation batch ${fmt(DERIVE_BATCH)}`);
  const connection = await amqp.connect(AMQP_URL);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  try {
    const setup = await connection.createChannel();
    await setup.assertQueue(queue, { durable: true });

    // (a) on these very messages, as bench:drain measures it; then the same again, kept to be
    // stored as the drain would have (batch by batch, each batch's messages let go once stored)
    await fill(connection, queue, N);
    const ceiling = await bareConsume(connection, queue, N, PREFETCH);
    console.log(`(a) broker ceiling, bare consume (acks by 100): ${fmt(ceiling)} msg/s`);
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);
    await fill(connection, queue, N);
    const client = await pool.connect();
    try {
      // one write at a time, in arrival order, as the drain writes them
      let writing: Promise<unknown> = Promise.resolve();
      const store = (messages: ConsumeMessage[]) => {
        const deaths = messages.map(rawDeadLetter);
        writing = observed(writing.then(() => writeRaw(client, deaths, queue)));
      };
      let batch: ConsumeMessage[] = [];
      await bareConsume(connection, queue, N, PREFETCH, (m) => {
        batch.push(m);
        if (batch.length < STORE_BATCH) return;
        store(batch);
        batch = [];
      });
      if (batch.length) store(batch);
      await writing;
    } finally {
      client.release();
    }

    const log = pino({ level: 'warn' });
    const cpu = measureCpu(os.cpus().length);
    const t0 = performance.now();
    let derived = 0;
    let ahead: Promise<InboxBatch | null> | undefined;
    for (;;) {
      const r = await deriveBatch(pool, log, DERIVE_BATCH, { ahead, readAhead: true });
      ahead = r.next;
      derived += r.taken;
      if (!r.taken) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const usage = cpu();
    const { rows } = await pool.query<{ records: number }>(`SELECT count(*)::int AS records FROM dead_letters`);
    const rate = derived / seconds;
    console.log(`derivation alone:                ${fmt(rate)} msg/s in ${seconds.toFixed(1)} s  (${fmt(derived)} derived, ${fmt(rows[0].records)} records)`);
    console.log(`  ${describeCpu(usage, derived)}`);
    const ratio = rate / ceiling;
    console.log(`needed for bench:drain's (c) at b = 0.5 x a, a third derived while draining: >= ${TARGET_RATIO} x a = ${fmt(TARGET_RATIO * ceiling)} msg/s`);
    console.log(`RATIO derive=${ratio.toFixed(3)} target=${TARGET_RATIO} ${ratio >= TARGET_RATIO && derived === N ? 'PASS' : 'FAIL'}`);
  } finally {
    await pool.end().catch(ignoreCleanupError);
    const ch = await connection.createChannel().catch(() => null);
    await ch?.deleteQueue(queue).catch(ignoreCleanupError);
    await connection.close().catch(ignoreCleanupError);
    await dropDatabase(databaseUrl).catch(ignoreCleanupError);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

// `npm run bench:republish`: bulk republish of 50,000 dead letters (~1 KB) with publisher
// confirms at an unlimited rate, through the real job table, outbox and runner, against the raw
// ceiling measured in the same run: amqplib alone publishing the same bodies with confirms
// (and, for context, the very messages the republish sends: see rawCeiling).
// The machine's own speed drifts by tens of percent within minutes (every program's CPU per
// message rises at once), so a single job can land in a slow stretch that the ceilings around it
// missed. The run therefore makes ROUNDS jobs of 50,000 each (default 3), each between two
// ceiling measurements, and compares each job with the mean of the two around it; every round
// is printed, and the RATIO line gives the median round.
// Targets: >= 3,000 msg/s and >= 0.5 of the raw ceiling. Each round also runs the same job with a
// one-operation JSON Patch (issue 18): target >= 0.8 of the plain job's rate in that round. Everything it creates has a unique
// name (database, queues) and is removed at the end.
import 'dotenv/config';
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import amqp, { type Options } from 'amqplib';
import pg from 'pg';
import type { Json } from '@/lib/bus/amqp-values';
import { buildRepublishMessage, type RepublishMessage } from '@/lib/bus/republish-message';
import { dropDatabase, ensureDatabase } from '@/lib/db/ensure-database';
import { migrate } from '@/lib/db/migrate';
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import type { BulkTransform } from '@/lib/schemas/bulk';
import { createRepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createGroupJob, seedDeadLetters, userCreated } from '@/tests/integration/republish-fixtures';
import { describeCpu, measureCpu } from './cpu-usage';
import { ignoreCleanupError } from '../tests/helpers/cleanup';

const N = Number(process.env.BENCH_REPUBLISH_COUNT ?? 50_000);
const ROUNDS = Number(process.env.BENCH_REPUBLISH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`BENCH_REPUBLISH_ROUNDS must be a whole number >= 1 (got ${process.env.BENCH_REPUBLISH_ROUNDS})`);
const PG_SERVER = process.env.BENCH_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const TARGET_RATE = 3000;
const TARGET_RATIO = 0.5;
/** A job with a one-operation patch against the same job without it, same round. */
const TARGET_PATCH_RATIO = 0.8;
const PATCH: BulkTransform = { kind: 'patch', operations: [{ op: 'replace', path: '/data/firstName', value: 'Grace' }] };

const suffix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const dbUrl = `${PG_SERVER}/eventdesk_bench_republish_${suffix}`;
const queue = `bench.republish.${suffix}`;
const rawQueue = `bench.republish.raw.${suffix}`;
const ledger = `bench.republish.ledger.${suffix}`;

function body(_: number, eventId: string): Buffer {
  const e = userCreated(eventId);
  (e.data as Record<string, unknown>).bio = 'x'.repeat(720); // ~1 KB like the platform's events
  return Buffer.from(JSON.stringify(e));
}

/**
 * amqplib alone publishing with confirms (waited for every 2,000) and mandatory, nothing else.
 * `minimal`: the bodies with two small headers (the ceiling the RATIO line uses);
 * `same messages`: exactly what the republish sends (the stored properties and headers, as
 * buildRepublishMessage rebuilds them) but without the ledger copy, for context.
 */
async function rawCeiling(label: string, messages: { content: Buffer; options: Options.Publish }[]): Promise<number> {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(rawQueue, { durable: true });
  const cpuDone = measureCpu(availableParallelism());
  const started = performance.now();
  for (let i = 0; i < messages.length; i++) {
    const ok = ch.publish('', rawQueue, messages[i].content, { ...messages[i].options, mandatory: true });
    if (!ok) await new Promise((r) => ch.once('drain', r));
    if ((i + 1) % 2000 === 0) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  const seconds = (performance.now() - started) / 1000;
  const rate = messages.length / seconds;
  console.log(`raw ceiling, ${label} (amqplib, confirms every 2000): ${rate.toFixed(0)} msg/s; ${describeCpu(cpuDone(), messages.length)}`);
  await ch.deleteQueue(rawQueue);
  await conn.close();
  return rate;
}

const minimal = (bodies: Buffer[]) =>
  bodies.map((content, i) => ({
    content,
    options: {
      persistent: true,
      contentType: 'application/json',
      messageId: `raw-${i}`,
      headers: { 'x-eventdesk-republish-count': 1, 'x-eventdesk-dead-letter-id': `raw-${i}` },
    },
  }));

/** The messages the republish will send, rebuilt from the stored rows as the runner does. */
async function sameMessages(pool: pg.Pool): Promise<RepublishMessage[]> {
  const { rows } = await pool.query<{ id: string; body: Buffer; properties: Json; headers: Json }>(
    `SELECT d."id", m."body", m."properties", m."headers" FROM "dead_letters" d JOIN "dead_letter_messages" m ON m."id" = d."latest_message_id"`,
  );
  return rows.map((r) =>
    buildRepublishMessage({ body: r.body, properties: r.properties, headers: r.headers }, { deadLetterId: r.id, republishNumber: 1, intentId: randomUUID() }),
  );
}

async function main() {
  console.log(`bench:republish: ${ROUNDS} rounds of ${N} dead letters of ~1 KB, unlimited rate, confirms + mandatory`);
  await ensureDatabase(dbUrl);
  await migrate(dbUrl);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  const rt = createRepublishRuntime({ databaseUrl: dbUrl, amqpUrl: AMQP_URL, ledgerQueue: ledger, eventsExchange: 'edu.events', maxRetries: 3 });
  const runnerOptions = { pollMs: 20, ...(process.env.BENCH_REPUBLISH_BATCH ? { maxBatch: Number(process.env.BENCH_REPUBLISH_BATCH) } : {}) };
  // one runner a round, stopped before the ceiling is measured (it polls for jobs while running)
  let runner = null as BulkRunner | null;
  try {
    const seedRound = async () => {
      const t = performance.now();
      const seeded = await seedDeadLetters(pool, { queue, count: N, body });
      // statistics as a live table has them (autovacuum's ANALYZE), the same for every round
      await pool.query('ANALYZE');
      console.log(`seeded ${N} dead letters in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      return seeded;
    };
    let seeded = await seedRound();
    const minimalMessages = minimal(seeded.bodies);
    let rawBefore = await rawCeiling('minimal headers', minimalMessages);
    const rawSame = await rawCeiling('same messages', await sameMessages(pool));

    const truncate = () =>
      pool.query(
        `TRUNCATE "dead_letters", "dead_letter_messages", "dead_letter_history", "republish_intents", "bulk_job_items", "bulk_jobs", "failure_groups" CASCADE`,
      );
    /** One job of the seeded group at an unlimited rate, checked for exactly-once; its rate. */
    const runJob = async (groupId: string, transform?: BulkTransform): Promise<number> => {
      // The job exactly as POST /api/bulk creates it (that route's module is server-only).
      const t = performance.now();
      const cpuDone = measureCpu(availableParallelism());
      const { jobId } = await createGroupJob(pool, { groupId, ratePerSecond: 0, reason: 'bench', actor: 'bench', transform });
      runner = new BulkRunner(rt, runnerOptions).start();
      const rssAtStart = process.memoryUsage.rss();
      let rssPeak = rssAtStart;
      let job;
      for (;;) {
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        ({
          rows: [job],
        } = await pool.query(`SELECT "status", "succeeded", "failed", "skipped" FROM "bulk_jobs" WHERE "id" = $1`, [jobId]));
        if (job.status === 'done' || job.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const seconds = (performance.now() - t) / 1000;
      const cpu = cpuDone();
      const rate = N / seconds;
      await runner.stop();
      const delivered = (await ch.checkQueue(queue)).messageCount;
      const { rows: st } = await pool.query(`SELECT count(*) FILTER (WHERE "status" = 'republished')::int AS n FROM "dead_letters" WHERE "group_id" = $1`, [
        groupId,
      ]);
      const what = transform ? 'with the patch' : 'plain';
      console.log(`${what}: republished ${job.succeeded} (failed ${job.failed}, skipped ${job.skipped}) in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} msg/s`);
      console.log(describeCpu(cpu, N));
      // the bench's own copies of the messages (for the ceilings) were there before the job
      console.log(`Node RSS: ${(rssAtStart / 2 ** 20).toFixed(0)} MB when the job started, at most ${(rssPeak / 2 ** 20).toFixed(0)} MB during it`);
      console.log(`target queue holds ${delivered}; records marked republished: ${st[0].n}`);
      if (delivered !== N || st[0].n !== N) throw new Error('republish lost or duplicated messages');
      if (transform) {
        const m = await ch.get(queue, { noAck: true });
        if (!m || JSON.parse(m.content.toString('utf8')).data.firstName !== 'Grace') throw new Error('the patch was not applied');
      }
      return rate;
    };
    const patchRounds: number[] = [];
    const rounds: { rate: number; raw: number; ratio: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) {
        // Every round starts from the same empty tables as the first: three rounds' rows would
        // not fit the server's shared buffers (128 MB here), and later rounds measured slower
        // for that alone (~+30 us of PostgreSQL a message).
        await truncate();
        seeded = await seedRound();
      }
      console.log(`round ${round} of ${ROUNDS}`);
      const rate = await runJob(seeded.groupId);
      // The same job with a one-operation patch (README, Fix a whole group), on freshly seeded
      // tables as the plain job had: each body parsed, patched, checked against its contract and
      // stored with its intent before it is sent.
      await ch.purgeQueue(queue);
      await ch.purgeQueue(ledger);
      await truncate();
      seeded = await seedRound();
      const patched = await runJob(seeded.groupId, PATCH);
      patchRounds.push(patched / rate);
      console.log(`round ${round}: with a one-operation patch ${patched.toFixed(0)} msg/s, ${(patched / rate).toFixed(2)} of the same job without it`);
      // The job's 100,000 stored copies (target and ledger) go first, so the broker is as it was
      // before the job when the ceiling is measured again.
      await ch.purgeQueue(queue);
      await ch.purgeQueue(ledger);
      const rawAfter = await rawCeiling('minimal headers', minimalMessages);
      const raw = (rawBefore + rawAfter) / 2;
      rounds.push({ rate, raw, ratio: rate / raw });
      console.log(
        `round ${round}: ${rate.toFixed(0)} msg/s against a raw ceiling of ${raw.toFixed(0)} (before ${rawBefore.toFixed(0)}, after ${rawAfter.toFixed(0)}): ${(rate / raw).toFixed(2)}`,
      );
      rawBefore = rawAfter;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const rate = median(rounds.map((r) => r.rate));
    const ratio = median(rounds.map((r) => r.ratio));
    console.log(`rounds (msg/s, ratio): ${rounds.map((r) => `${r.rate.toFixed(0)} ${r.ratio.toFixed(2)}`).join('; ')}`);
    console.log(`median of ${rounds.length}: rate ${rate.toFixed(0)} msg/s (target >= ${TARGET_RATE}); ratio ${ratio.toFixed(2)}`);
    console.log(`for context: ${(rate / rawSame).toFixed(2)} of the raw ceiling for the same messages (${rawSame.toFixed(0)} msg/s)`);
    const patchRatio = median(patchRounds);
    console.log(`with a one-operation patch, per round: ${patchRounds.map((r) => r.toFixed(2)).join('; ')}`);
    console.log(`RATIO republish-patch=${patchRatio.toFixed(2)} target=${TARGET_PATCH_RATIO} ${patchRatio >= TARGET_PATCH_RATIO ? 'PASS' : 'FAIL'}`);
    const pass = rate >= TARGET_RATE && ratio >= TARGET_RATIO;
    console.log(`RATIO republish=${ratio.toFixed(2)} target=${TARGET_RATIO} ${pass ? 'PASS' : 'FAIL'}`);
  } finally {
    await runner?.stop().catch(ignoreCleanupError);
    await rt.close().catch(ignoreCleanupError);
    await ch.deleteQueue(queue).catch(ignoreCleanupError);
    await ch.deleteQueue(ledger).catch(ignoreCleanupError);
    await ch.deleteQueue(rawQueue).catch(ignoreCleanupError);
    await conn.close().catch(ignoreCleanupError);
    await pool.end().catch(ignoreCleanupError);
    await dropDatabase(dbUrl).catch((e) => console.error('could not drop the bench database', e));
  }
}

main().catch((err) => {
  console.error(err);
  console.log(`RATIO republish=0 target=${TARGET_RATIO} FAIL`);
  process.exit(1);
});

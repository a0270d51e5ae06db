// The drain of one EventDesk process: one Drainer per DLQ of DLQ_QUEUE, sharing one small pool
// (which the retention duty uses too: lib/runtime/background.ts), and their status published for
// /api/health and the metrics (summed over the DLQs, and per DLQ: lib/bus/drain-status.ts).
import pg from 'pg';
import type { Logger } from 'pino';
import { Drainer } from '@/lib/bus/drainer';
import { DERIVE_AT_STOP_MS, Deriver } from '@/lib/bus/deriver';
import { DERIVATION } from '@/lib/bus/derive-dead-letters';
import { forgetAttempt } from '@/lib/bus/derivation-attempts';
import { publishDrainStatus } from '@/lib/bus/drain-status';
import type { Env } from '@/lib/env';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';

export type DrainSettings = Pick<
  Env,
  'DATABASE_URL' | 'AMQP_URL' | 'DLQ_QUEUE' | 'DLQ_QUEUE_TYPE' | 'EVENTS_EXCHANGE' | 'DRAIN_PREFETCH' | 'DRAIN_BATCH_SIZE' | 'DECLARE_TOPOLOGY'
>;

export interface RunningDrain {
  /** in the order of DLQ_QUEUE */
  drainers: Drainer[];
  /** the drainers' pool (3 batch writers per DLQ, one for the derivation, one for the retention duty) */
  pool: pg.Pool;
  /** derives records from what the drainers store (one for all DLQs of this process) */
  deriver: Deriver;
  /** the drainers (together) and their pool */
  services: { name: string; stop(): Promise<void> }[];
}

export function startDrain(settings: DrainSettings, logger: Logger, onStored: () => void): RunningDrain {
  // Its own small pool (3 batch writers per DLQ, the deriver and its read-ahead, retention), so
  // the console's Prisma pool never starves the drain (nor the reverse).
  // Row-lock waits as long as a statement: a store that fails counts toward parking a message,
  // and a record held for a few seconds (a republish's claim) is no reason to park one.
  const pool = new pg.Pool({
    connectionString: settings.DATABASE_URL,
    max: 3 + 3 * settings.DLQ_QUEUE.length,
    ...dbTimeouts({ lockMs: 30_000 }),
    application_name: 'eventdesk-drain',
  });
  guardPool(pool, (err) => logger.warn({ err: err.message }, 'drain database connection lost'));
  // Each DLQ is consumed, stored (the record keeps its DLQ) and parked (eventdesk.parked.<that
  // DLQ>) by its own drainer and broker connection: one DLQ missing or deep holds up no other.
  // Store first, derive after (issue 20): one deriver for the DLQs of this process, kicked by
  // each drainer's commit; only one process in the cluster derives at a time.
  const deriver = new Deriver(pool, logger, { onDerived: onStored }).start();
  const drainers = settings.DLQ_QUEUE.map(
    (queue) =>
      new Drainer({
        amqpUrl: settings.AMQP_URL,
        queue,
        exchange: settings.EVENTS_EXCHANGE,
        pool,
        prefetch: settings.DRAIN_PREFETCH,
        batchSize: settings.DRAIN_BATCH_SIZE,
        declareTopology: settings.DECLARE_TOPOLOGY,
        dlqQueueType: settings.DLQ_QUEUE_TYPE,
        logger,
        deriver,
      }),
  );
  publishDrainStatus(() => drainers.map((d) => d.status()));
  for (const drainer of drainers) void drainer.start();
  return {
    drainers,
    pool,
    deriver,
    services: [
      {
        name: 'drain',
        stop: async () => {
          // together: each finishes its batch in flight within the same stop budget
          await Promise.all(drainers.map((d) => d.stop()));
          await deriver.stop();
          // what was stored is derived before the process goes, within a bound (else the next
          // start, or another process, derives it), none cut off by the exit (DERIVE_AT_STOP_MS)
          await Promise.race([deriver.deriveAll(Date.now() + DERIVE_AT_STOP_MS), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]).catch(
            (err: Error) => logger.warn({ err: err.message }, 'derivation not finished at stop'),
          );
          await forgetAttempt(pool, DERIVATION);
          await pool.end().catch((err: Error) => logger.debug({ err: err.message }, 'drain pool already ended'));
        },
      },
    ],
  };
}

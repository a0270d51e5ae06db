// Settles republish intents left unfinished by a process that died (or hung) between recording
// the intent and committing its outcome. Runs at start-up and then periodically.
//
// Why this is exact rather than "at least once": an intent can be in one of two situations
// after a crash, and the database alone cannot tell them apart:
//   a) the publish never reached the broker (crash before or during the publish), or
//   b) the broker routed and confirmed it (crash between the confirm and the commit).
// Re-publishing would duplicate (b); marking done would lose (a). So every publish to a queue
// carries a BCC copy to EventDesk's ledger queue: RabbitMQ routes one publish to the target
// and the ledger atomically, so "a ledger copy with this intent id exists" is exactly "the
// target received it". Recovery settles (b) as done without publishing anything (exactly one
// message on the queue, record republished) and (a) as abandoned (the record stays pending;
// a bulk job picks its item up again, an operator can click again).
// Exchange targets cannot take a ledger copy (see republish-outbox.ts); their unfinished
// intents are marked abandoned with an "outcome unknown" note in the record's history.
//
// An owner is known dead when its advisory lock is free (republish-owner.ts), so a live
// process's in-flight intents are never touched; intents older than hungAfterMs are settled
// regardless (their process is stuck well past the confirm timeout).
// Ledger copies of settled intents are acked here too: that is what keeps the ledger short.
import { observed } from '@/lib/observed';
import type { ConsumeMessage } from 'amqplib';
import type pg from 'pg';
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { headerText } from '@/lib/bus/amqp-values';
import { deadLetterTarget, recordAudit } from '@/lib/audit/record-audit';
import { INTENT_ID_HEADER } from '@/lib/bus/republish-message';
import { inTransaction, settleIntentsDone, settleIntentsFailed } from '@/lib/bus/republish-outbox';
import { deadOwners, type IntentOwner } from '@/lib/bus/republish-owner';
import type { RepublishPublisher } from '@/lib/bus/republish-publisher';
import { closeWithin, withTimeout } from '@/lib/bus/within';
import { applyItemOutcomes } from './bulk-progress';

/** each broker call of a recovery pass (a pass that hangs would stop the periodic passes) */
const BROKER_RPC_MS = 10_000;

/** An intent id as the database writes them (gen_random_uuid): anything else is no intent. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RecoveryDeps {
  pool: pg.Pool;
  publisher: RepublishPublisher;
  owner: IntentOwner;
  logger?: Logger;
  hungAfterMs?: number;
  /** this process's own intents it no longer tracks are settled once older than this (60 s) */
  untrackedAfterMs?: number;
  /** stop reading the ledger after this long without a delivery */
  ledgerIdleMs?: number;
}

export interface RecoveryReport {
  stale: number;
  recovered: number;
  abandoned: number;
  ledgerAcked: number;
  ledgerComplete: boolean;
}

interface PendingIntent {
  id: string;
  owner: string;
  ledger: boolean;
  bulkJobId: string | null;
  deadLetterId: string;
  actor: string;
  hung: boolean;
  old: boolean;
}

export async function recoverRepublishIntents(deps: RecoveryDeps): Promise<RecoveryReport> {
  const log = (deps.logger ?? rootLogger).child({ component: 'republish-recovery' });
  const report: RecoveryReport = { stale: 0, recovered: 0, abandoned: 0, ledgerAcked: 0, ledgerComplete: false };
  const hungAfterMs = deps.hungAfterMs ?? 5 * 60_000;
  // this process's own intents that it no longer tracks (IntentOwner.track): older than a
  // claim's commit can take to answer (query timeout 35 s), so never one being claimed right now
  const untrackedAfterMs = deps.untrackedAfterMs ?? 60_000;

  const client = await deps.pool.connect();
  let stale: Map<string, PendingIntent>;
  try {
    const { rows } = await client.query<PendingIntent>(
      `SELECT "id", "owner", "ledger", "bulk_job_id" AS "bulkJobId", "dead_letter_id" AS "deadLetterId", "actor",
              ("created_at" < now() - make_interval(secs => $1::double precision / 1000)) AS "hung",
              ("created_at" < now() - make_interval(secs => $2::double precision / 1000)) AS "old"
       FROM "republish_intents" WHERE "state" = 'pending' ORDER BY "created_at" LIMIT 100000`,
      [hungAfterMs, untrackedAfterMs],
    );
    const dead = await deadOwners(client, [...new Set(rows.map((r) => r.owner))], deps.owner.id);
    const orphaned = (r: PendingIntent) => r.owner === deps.owner.id && r.old && !deps.owner.isLive(r.id);
    stale = new Map(rows.filter((r) => r.hung || dead.has(r.owner) || orphaned(r)).map((r) => [r.id, r]));
  } finally {
    client.release();
  }
  report.stale = stale.size;

  // Read the ledger: copies of stale intents are the evidence; copies of settled intents are
  // dropped; copies of live in-flight intents go back (closing the channel requeues them).
  if (stale.size === 0 && !(await ledgerExists(deps.publisher))) {
    report.ledgerComplete = true;
    return report; // nothing unfinished and no ledger yet: this install never republished
  }
  const ch = await deps.publisher.openChannel();
  const marked = new Map<string, ConsumeMessage>();
  try {
    const { messageCount } = await deps.publisher.declareLedger();
    let seen = 0;
    if (messageCount > 0) {
      await withTimeout(ch.prefetch(Math.min(5000, messageCount + 10)), BROKER_RPC_MS, 'setting the ledger prefetch');
      const buffer: ConsumeMessage[] = [];
      let flushing = Promise.resolve();
      let lastDelivery = Date.now();
      const flush = async () => {
        const batch = buffer.splice(0);
        if (batch.length === 0) return;
        const ids = batch.map((m) => headerText(m.properties.headers?.[INTENT_ID_HEADER]) ?? '');
        // a copy that names no intent (put there by hand or by a foreign publisher: 36 dashes
        // would fail the uuid cast, and with it every pass) is nobody's evidence: dropped below
        const valid = ids.filter((id) => UUID.test(id));
        const { rows } = await deps.pool.query<{ id: string; state: string }>(`SELECT "id", "state" FROM "republish_intents" WHERE "id" = ANY($1::uuid[])`, [
          valid,
        ]);
        const state = new Map(rows.map((r) => [r.id, r.state]));
        batch.forEach((m, i) => {
          const id = ids[i];
          const s = state.get(id);
          if (s === 'pending' && stale.has(id)) marked.set(id, m);
          else if (s === 'pending')
            return; // a live publish: leave it for its owner's next pass
          else {
            ch.ack(m);
            report.ledgerAcked++;
          }
        });
      };
      const { consumerTag } = await withTimeout(
        ch.consume(
          deps.publisher.ledgerQueue,
          (m) => {
            if (!m) return;
            seen++;
            lastDelivery = Date.now();
            buffer.push(m);
            // observed: a flush that fails before the loop below awaits it is not an unhandled
            // rejection (which ends the process); the await still throws it
            if (buffer.length >= 1000) flushing = observed(flushing.then(flush));
          },
          { noAck: false },
        ),
        BROKER_RPC_MS,
        'consuming the ledger',
      );
      const idleMs = deps.ledgerIdleMs ?? 500;
      while (seen < messageCount && Date.now() - lastDelivery < idleMs) await new Promise((r) => setTimeout(r, 20));
      await withTimeout(ch.cancel(consumerTag), BROKER_RPC_MS, 'cancelling the ledger consumer');
      flushing = flushing.then(flush);
      await flushing;
    }
    report.ledgerComplete = seen >= messageCount;

    // Settle what the ledger proves was published.
    if (marked.size) {
      const settled = await inTransaction(deps.pool, async (tx) => {
        const done = await settleIntentsDone(tx, [...marked.keys()], 'recovery');
        await applyItemOutcomes(
          tx,
          done.filter((d) => d.bulkJobId).map((d) => ({ jobId: d.bulkJobId!, deadLetterId: d.deadLetterId, state: d.applied ? 'done' : 'skipped' })),
        );
        return done;
      });
      for (const id of marked.keys()) {
        ch.ack(marked.get(id)!);
        report.ledgerAcked++;
      }
      report.recovered = settled.length;
      log.info({ recovered: settled.length }, 'settled unfinished republishes the broker had confirmed');
    }

    // What the ledger does not hold never reached the broker; only decide that on a full read.
    const unproven = [...stale.values()].filter((i) => !marked.has(i.id));
    if (report.ledgerComplete && unproven.length) {
      await inTransaction(deps.pool, async (tx) => {
        const withLedger = unproven.filter((i) => i.ledger).map((i) => i.id);
        const without = unproven.filter((i) => !i.ledger);
        const a = await settleIntentsFailed(tx, withLedger, 'the process stopped before the broker received the message; nothing was sent', 'abandoned');
        const b = await settleIntentsFailed(
          tx,
          without.map((i) => i.id),
          'the process stopped before the confirm of an exchange publish: the outcome is unknown, check the consumers before retrying',
          'abandoned',
        );
        // only the intents this pass settled: one another pass (another process) settled first
        // already has its note
        const uncertain = without.filter((i) => b.includes(i.id));
        if (uncertain.length) {
          await tx.query(
            `INSERT INTO "dead_letter_history" ("dead_letter_id", "action", "actor", "reason", "details")
             SELECT unnest($1::uuid[]), 'republish-uncertain', 'system', 'process stopped before the broker confirmed an exchange publish', NULL`,
            [uncertain.map((i) => i.deadLetterId)],
          );
        }
        const settledIds = new Set([...a, ...b]);
        await recordAudit(
          tx,
          unproven
            .filter((i) => settledIds.has(i.id))
            .map((i) => ({
              actor: 'system',
              action: 'republish-abandoned',
              target: deadLetterTarget(i.deadLetterId),
              reason: i.ledger ? 'not received by the broker' : 'outcome unknown (exchange target)',
              details: { intentId: i.id, requestedBy: i.actor, bulkJobId: i.bulkJobId },
            })),
        );
        report.abandoned = settledIds.size;
      });
      log.warn({ abandoned: report.abandoned }, 'closed unfinished republishes that never reached the broker');
    }
  } finally {
    // bounded: a pass that hangs here would stop the periodic passes
    await closeWithin(ch);
  }
  return report;
}

async function ledgerExists(publisher: RepublishPublisher): Promise<boolean> {
  return (await publisher.missingQueues([publisher.ledgerQueue])).size === 0;
}

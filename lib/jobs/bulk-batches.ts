// One batch of a bulk job: republish (outbox per message, publishes pipelined under confirms)
// or discard. Each batch commits its outcomes, so a restart resumes from the queued items.
import { pauser } from '@/lib/event-loop-pause';
import type pg from 'pg';
import {
  claimForBulk,
  decrementPending,
  inTransaction,
  claimTransformed,
  readForTransform,
  settleIntentsDone,
  settleIntentsFailed,
  type ClaimedRecord,
  type TransformedOffer,
  type TransformReadRecord,
} from '@/lib/bus/republish-outbox';
import { buildRepublishMessage, type StoredMessage } from '@/lib/bus/republish-message';
import { uuidArray } from '@/lib/db/uuid-array';
import type { RepublishDeps } from './republish-runtime';
import { UNENCODABLE, type OutgoingMessage, type PublishOutcome } from '@/lib/bus/republish-publisher';
import { retryTransient } from '@/lib/db/retry-transient';
import { queueIssue } from '@/lib/schemas/republish-target';
import { applyItemOutcomes, type ItemOutcome } from './bulk-progress';
import type { BulkTransform } from '@/lib/schemas/bulk';
import { compileTransform, isNotTried, MAX_TRANSFORM_BODY_BYTES, type TransformOutput } from '@/lib/transform/apply-transform';
import { withClient } from '@/lib/bus/with-client';
import { changesDiff } from '@/lib/diff/changes-diff';

export interface BulkJobRow {
  id: string;
  action: 'republish' | 'discard';
  reason: string;
  actor: string;
  force: boolean;
  ratePerSecond: number;
  /** applied to each body before it is sent (README, Fix a whole group) */
  transform: BulkTransform | null;
}

export interface BatchResult {
  done: number;
  failed: number;
  skipped: number;
}

const count = (outcomes: ItemOutcome[]): BatchResult => ({
  done: outcomes.filter((o) => o.state === 'done').length,
  failed: outcomes.filter((o) => o.state === 'failed').length,
  skipped: outcomes.filter((o) => o.state === 'skipped').length,
});

/** A batch after stage 1: intents recorded for `ready`, other items already settled. */
export interface ClaimedBatch {
  job: BulkJobRow;
  size: number;
  /** records with their intent and stored message, and the transformed body stored with the intent */
  ready: { record: ClaimedRecord & StoredMessage; intentId: string; editedBody?: Buffer | null }[];
  outcomes: ItemOutcome[];
}

/** A batch after stage 2: what the broker said about each message. */
export interface PublishedBatch extends ClaimedBatch {
  ok: ClaimedBatch['ready'];
  refused: ClaimedBatch['ready'];
  /** amqplib could not encode them (nothing written): they fail, and would again */
  unencodable: ClaimedBatch['ready'];
  unroutable: ClaimedBatch['ready'];
  /** origin queues the target rules refuse (lib/schemas/republish-target.ts), with why */
  refusedTarget: (ClaimedBatch['ready'][number] & { why: string })[];
}

const hasMessage = (r: ClaimedRecord): r is ClaimedRecord & StoredMessage => r.body !== null;

/**
 * Why a record of a batch got no intent: the claim's own conditions (claimForBulk, claimTransformed),
 * in their order, as the item's outcome.
 */
function whyNotClaimed(
  r: Pick<ClaimedRecord, 'status' | 'republishCount' | 'queue'>,
  maxRetries: number,
  force: boolean,
): [error: string, state: 'skipped' | 'failed'] {
  if (r.status !== 'pending') return [`not pending (${r.status})`, 'skipped'];
  if (r.republishCount >= maxRetries && !force) return [`retry limit reached (${r.republishCount}/${maxRetries})`, 'skipped'];
  if (!r.queue) return ['no origin queue (no x-death)', 'failed'];
  return ['a republish of it is already in flight', 'skipped'];
}

/** Stage 1 (database): intents for the records that can go, skips for those that cannot. */
export async function claimRepublishBatch(deps: RepublishDeps, job: BulkJobRow, deadLetterIds: string[]): Promise<ClaimedBatch> {
  if (job.transform) return claimTransformedBatch(deps, job, deadLetterIds);
  const outcomes: ItemOutcome[] = [];
  const skip = (deadLetterId: string, error: string, state: 'skipped' | 'failed' = 'skipped') => outcomes.push({ jobId: job.id, deadLetterId, state, error });
  return inTransaction(deps.pool, async (tx) => {
    const rows = await claimForBulk(tx, {
      deadLetterIds,
      actor: job.actor,
      reason: job.reason,
      bulkJobId: job.id,
      owner: deps.owner.id,
      maxRetries: deps.maxRetries,
      force: job.force,
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const ready: ClaimedBatch['ready'] = [];
    const orphan: string[] = [];
    for (const id of deadLetterIds) {
      const r = byId.get(id);
      if (!r) skip(id, 'no longer stored (purged)');
      else if (r.intentId === null) {
        skip(id, ...whyNotClaimed(r, deps.maxRetries, job.force));
      } else if (!hasMessage(r)) {
        skip(id, 'no stored message', 'failed');
        orphan.push(r.intentId); // never published: closed now
      } else {
        ready.push({ record: r, intentId: r.intentId });
      }
    }
    await settleIntentsFailed(tx, orphan, 'no stored message');
    await applyItemOutcomes(tx, outcomes);
    return { job, size: deadLetterIds.length, ready, outcomes };
  }).then((claimed) => {
    // in this process's hands until settled (see IntentOwner.track)
    deps.owner.track(claimed.ready.map((r) => r.intentId));
    return claimed;
  });
}

/** Longest item error kept (a contract break lists its violations). */
const MAX_ITEM_ERROR = 500;

function breakText(o: TransformOutput): string {
  const v = o.validation!;
  const list = v.violations.map((x) => `${x.path} ${x.message}`).join('; ');
  const text = `breaks the contract (${v.status}): ${list}`;
  return text.length > MAX_ITEM_ERROR ? `${text.slice(0, MAX_ITEM_ERROR)}…` : text;
}

/**
 * Longest a transforming batch spends transforming: messages it has not tried by then stay queued
 * for a later batch (at least one is always tried). A batch of 5,000 messages at JSONata's
 * guardrail (100 ms a message, tried twice) could otherwise take 17 minutes.
 */
export const TRANSFORM_BATCH_MS = 10_000;

/**
 * Most bytes of stored bodies one republish batch reads (at least one message; the runner picks
 * its items so: BulkRunner.nextItems), and most bytes a transforming batch's bodies and results
 * hold (the rest of its messages wait for a later batch). A batch is held in memory from its
 * claim to its confirms, up to four at once at an unlimited rate (one claimed ahead, one being
 * written, two settling). By count alone a batch of 5,000 bodies of 1 MB read 5 GB, and RabbitMQ
 * lets a body reach 128 MB. 5,000 bodies of ~1 KB are ~5 MB: unchanged.
 */
export const MAX_BATCH_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Stage 1 of a transforming job (README, Fix a whole group). The messages are read and
 * transformed outside any transaction (a slow transformation held the records locked and a
 * transaction open until PostgreSQL's idle-in-transaction timeout ended it, again on every try:
 * the job ran on without progress, every other job queued behind it). Then, in one statement
 * (claimTransformed) of a short transaction: the records locked, each checked again (still
 * eligible, its newest message still the one transformed), and an intent written only for what
 * is to be sent, holding the bytes it sends
 * (edited_body) and the diff for the history, before anything is published; so a crash replays
 * exactly these bytes or nothing. Results that fail, whose patch test fails, or that break the
 * contract (unless the job is forced) are skipped: no intent, the record left pending, the
 * reason on the item. A record that changed meanwhile, and a message not tried before
 * TRANSFORM_BATCH_MS or once the batch's bodies and results passed MAX_BATCH_BODY_BYTES, stay
 * queued for a later batch.
 */
async function claimTransformedBatch(deps: RepublishDeps, job: BulkJobRow, deadLetterIds: string[]): Promise<ClaimedBatch> {
  const outcomes: ItemOutcome[] = [];
  const skip = (deadLetterId: string, error: string, state: 'skipped' | 'failed' = 'skipped') => outcomes.push({ jobId: job.id, deadLetterId, state, error });
  const read = await withClient(deps.pool, (client) => readForTransform(client, deadLetterIds, MAX_TRANSFORM_BODY_BYTES));
  // whether each may go is decided under the lock, below (a record that may not is transformed for nothing: rare)
  // (a body too big to transform is not read: a message, its body null)
  const candidates = read.filter((r) => r.messageId !== null);
  const messageless = new Set(read.filter((r) => r.messageId === null).map((r) => r.id));
  const transformed = new Map<string, { read: TransformReadRecord; output: TransformOutput }>();
  let stalled: string | null = null;
  try {
    const outputs = await compileTransform(job.transform!).apply(
      candidates.map((r) => ({ id: r.id, body: r.body })),
      { deadline: Date.now() + TRANSFORM_BATCH_MS, maxBytes: MAX_BATCH_BODY_BYTES },
    );
    outputs.forEach((output, i) => {
      if (!isNotTried(output)) transformed.set(candidates[i].id, { read: candidates[i], output });
    });
  } catch (err) {
    // the JSONata worker had to be stopped on this batch (or the stored transform no longer
    // compiles): none of it goes, each item says why
    stalled = `transform failed: ${(err as Error).message}`;
  }
  // what would go, should its record still be eligible and its message the same under the lock
  const offers: TransformedOffer[] = [];
  // a diff each (a few ms for a body of many values: 5,000 of them held the loop 8 s, a probe)
  const pause = pauser();
  if (stalled === null)
    for (const [id, { read: r, output: o }] of transformed)
      if (o.outcome === 'change' || o.outcome === 'unchanged' || (o.outcome === 'break' && job.force)) {
        await pause();
        offers.push({
          deadLetterId: id,
          messageId: r.messageId!,
          editedBody: o.bytes,
          diff: o.bytes ? changesDiff(o.before, o.after, `dead-letter/${id}`) : null,
        });
      }
  const offered = new Map(offers.map((o) => [o.deadLetterId, o]));
  return inTransaction(deps.pool, async (tx) => {
    const claimed = await claimTransformed(
      tx,
      { deadLetterIds, maxRetries: deps.maxRetries, force: job.force, actor: job.actor, reason: job.reason, bulkJobId: job.id, owner: deps.owner.id },
      offers,
    );
    const byId = new Map(claimed.map((r) => [r.id, r]));
    const ready: ClaimedBatch['ready'] = [];
    for (const id of deadLetterIds) {
      const r = byId.get(id);
      if (!r) skip(id, 'no longer stored (purged)');
      else if (!r.eligible) skip(id, ...whyNotClaimed(r, deps.maxRetries, job.force));
      else if (messageless.has(id)) skip(id, 'no stored message', 'failed');
      else if (stalled !== null) skip(id, stalled);
      else {
        const t = transformed.get(id);
        // not tried in time, or it died again (a newer message) since it was read: a later batch
        if (!t || (r.latestMessageId !== null && t.read.messageId !== r.latestMessageId)) continue;
        const offer = offered.get(id);
        if (!offer) skip(id, t.output.outcome === 'break' ? breakText(t.output) : (t.output.error ?? t.output.outcome));
        // the record as locked now, with the message as read (the same one)
        else if (r.intentId)
          ready.push({
            // (an offered message's body was read: one left unread for its size is refused, never offered)
            record: { ...t.read, body: t.read.body!, status: r.status, queue: r.queue, republishCount: r.republishCount },
            intentId: r.intentId,
            editedBody: offer.editedBody,
          });
        // the lock and the eligibility check leave no other unfinished intent; this only says so
        else skip(id, 'a republish of it is already in flight');
      }
    }
    await applyItemOutcomes(tx, outcomes);
    return { job, size: deadLetterIds.length, ready, outcomes };
  }).then((claimed) => {
    deps.owner.track(claimed.ready.map((r) => r.intentId));
    return claimed;
  });
}

/** Stage 2 (broker): targets checked, the batch published, its confirms awaited. */
export async function publishRepublishBatch(deps: RepublishDeps, claimed: ClaimedBatch): Promise<PublishedBatch> {
  return (await sendRepublishBatch(deps, claimed)).published;
}

/**
 * Stage 2 in two steps: returns once the batch is written to the broker, with what the broker
 * says about it still to come (so the next batch can go out while this one is confirmed).
 * Throws only when nothing went out; its intents are closed then.
 */
export async function sendRepublishBatch(deps: RepublishDeps, claimed: ClaimedBatch): Promise<{ published: Promise<PublishedBatch> }> {
  const none: ClaimedBatch['ready'] = [];
  if (!claimed.ready.length)
    return { published: Promise.resolve({ ...claimed, ok: none, refused: none, unencodable: none, unroutable: none, refusedTarget: [] }) };
  const ctx = deps.targetContext ?? { ownQueues: [deps.publisher.ledgerQueue] };
  const refusedTarget: PublishedBatch['refusedTarget'] = [];
  const allowed: ClaimedBatch['ready'] = [];
  for (const c of claimed.ready) {
    const issue = queueIssue(c.record.queue, 'target', ctx);
    if (issue) refusedTarget.push({ ...c, why: issue.message });
    else allowed.push(c);
  }
  const closeAll = async (err: unknown) => {
    // refused before anything went out (no connection): nothing to recover
    const ids = claimed.ready.map((c) => c.intentId);
    try {
      await retryTransient(() => inTransaction(deps.pool, (tx) => settleIntentsFailed(tx, ids, (err as Error).message)));
    } finally {
      deps.owner.untrack(ids);
    }
    return err;
  };
  let missing: Set<string>;
  try {
    // Targets must exist: the ledger copy would otherwise hide an unroutable publish.
    missing = await deps.publisher.missingQueues(allowed.map((c) => c.record.queue));
  } catch (err) {
    throw await closeAll(err);
  }
  const sendable = allowed.filter((c) => !missing.has(c.record.queue));
  const outgoing: OutgoingMessage[] = sendable.map(({ record, intentId, editedBody }) => ({
    intentId,
    exchange: '',
    routingKey: record.queue,
    ledger: true,
    message: buildRepublishMessage(record, { deadLetterId: record.id, republishNumber: record.republishCount + 1, intentId, editedBody }),
  }));
  let sent: { outcomes: Promise<PublishOutcome[]> };
  try {
    sent = await deps.publisher.send(outgoing);
  } catch (err) {
    throw await closeAll(err);
  }
  const published = sent.outcomes.then((results): PublishedBatch => {
    deps.afterConfirm?.();
    // 'unknown' outcomes are in none of these: their intents stay pending for recovery, and
    // their items stay queued.
    return {
      ...claimed,
      ok: sendable.filter((_, i) => results[i] === 'ok'),
      refused: sendable.filter((_, i) => results[i] === 'unroutable' || results[i] === 'nacked'),
      unencodable: sendable.filter((_, i) => results[i] === 'unencodable'),
      unroutable: allowed.filter((c) => missing.has(c.record.queue)),
      refusedTarget,
    };
  });
  return { published };
}

/** Stage 3 (database): done ones become republished; refused ones stay pending. */
export async function settleRepublishBatch(deps: RepublishDeps, b: PublishedBatch): Promise<BatchResult> {
  const late: ItemOutcome[] = [];
  const jobId = b.job.id;
  await inTransaction(deps.pool, async (tx) => {
    late.length = 0; // a retried settle starts over
    const settled = await settleIntentsDone(
      tx,
      b.ok.map((c) => c.intentId),
      'confirm',
      b.ok.map((c) => c.record.id),
    );
    for (const s of settled)
      late.push({ jobId, deadLetterId: s.deadLetterId, state: s.applied ? 'done' : 'skipped', error: s.applied ? null : 'changed while publishing' });
    await settleIntentsFailed(
      tx,
      b.unroutable.map((c) => c.intentId),
      'target queue does not exist',
    );
    for (const c of b.unroutable) late.push({ jobId, deadLetterId: c.record.id, state: 'failed', error: `target queue ${c.record.queue} does not exist` });
    await settleIntentsFailed(
      tx,
      b.refusedTarget.map((c) => c.intentId),
      'target refused',
    );
    for (const c of b.refusedTarget) late.push({ jobId, deadLetterId: c.record.id, state: 'failed', error: c.why });
    await settleIntentsFailed(
      tx,
      b.refused.map((c) => c.intentId),
      'unroutable or refused by the broker',
    );
    for (const c of b.refused) late.push({ jobId, deadLetterId: c.record.id, state: 'failed', error: 'unroutable or refused by the broker' });
    await settleIntentsFailed(
      tx,
      b.unencodable.map((c) => c.intentId),
      UNENCODABLE,
    );
    for (const c of b.unencodable) late.push({ jobId, deadLetterId: c.record.id, state: 'failed', error: UNENCODABLE });
    await applyItemOutcomes(tx, late);
  });
  return count([...b.outcomes, ...late]);
}

export async function republishBatch(deps: RepublishDeps, job: BulkJobRow, deadLetterIds: string[]): Promise<BatchResult> {
  const claimed = await claimRepublishBatch(deps, job, deadLetterIds);
  const published = await publishRepublishBatch(deps, claimed);
  return settleBatchRetrying(deps, published);
}

/**
 * Stage 3 as the runner calls it: a settle that lost its connection is tried again on another
 * (it only touches intents still pending and items still queued); either way the batch's
 * intents leave this process's hands, so that recovery settles whatever is left.
 */
export async function settleBatchRetrying(deps: RepublishDeps, b: PublishedBatch): Promise<BatchResult> {
  try {
    return await retryTransient(() => settleRepublishBatch(deps, b));
  } finally {
    deps.owner.untrack(b.ready.map((c) => c.intentId));
  }
}

export async function discardBatch(pool: pg.Pool, job: BulkJobRow, deadLetterIds: string[]): Promise<BatchResult> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: string; group_id: string }>(
      `WITH cand AS (
         SELECT d."id", d."group_id" FROM "dead_letters" d
         WHERE d."id" = ANY($1::uuid[]) AND d."status" = 'pending'
           AND NOT EXISTS (SELECT 1 FROM "republish_intents" r WHERE r."dead_letter_id" = d."id" AND r."state" = 'pending')
         ORDER BY d."id" FOR UPDATE OF d
       ), upd AS (
         UPDATE "dead_letters" d SET "status" = 'discarded', "updated_at" = now() FROM cand WHERE d."id" = cand."id"
         RETURNING d."id", d."group_id"
       ), hist AS (
         INSERT INTO "dead_letter_history" ("dead_letter_id", "action", "actor", "reason", "details")
         SELECT upd."id", 'discarded', $2, $3, jsonb_build_object('bulkJobId', $4::text) FROM upd
         RETURNING 1
       )
       SELECT "id", "group_id" FROM upd`,
      [uuidArray(deadLetterIds), job.actor, job.reason, job.id],
    );
    await decrementPending(
      tx,
      rows.map((r) => r.group_id),
    );
    const discarded = new Set(rows.map((r) => r.id));
    const outcomes: ItemOutcome[] = deadLetterIds.map((id) =>
      discarded.has(id) ? { jobId: job.id, deadLetterId: id, state: 'done' } : { jobId: job.id, deadLetterId: id, state: 'skipped', error: 'not pending' },
    );
    await applyItemOutcomes(tx, outcomes);
    return count(outcomes);
  });
}

// The republish and edit-and-republish actions: one dead letter, outbox style:
//   1. check (record pending, retry limit, edited body against its contract, target exists)
//   2. record the intent (its own transaction, under the record's row lock)
//   3. publish with confirm + mandatory (and a ledger copy, see lib/bus/republish-publisher.ts)
//   4. settle: intent done + record republished + group count + history + audit, one transaction
// A failure in 1-3 leaves the record exactly as it was. A crash between 3 and 4 leaves a
// pending intent that lib/jobs/recover-republish-intents.ts settles from the ledger.
import type pg from 'pg';
import type { Logger } from 'pino';
import { ActionError, conflict, forbidden, invalid, notFound, unavailable, unprocessable } from '@/lib/action-error';
import { validateBody } from '@/lib/events/validate';
import { logger as rootLogger } from '@/lib/log';
import { editedBodyDiff } from '@/lib/diff/republish-diff';
import { cleanText } from '@/lib/bus/amqp-values';
import { buildRepublishMessage } from '@/lib/bus/republish-message';
import { errorText } from '@/lib/bus/prepare-dead-letter';
import {
  inTransaction,
  insertIntents,
  loadMessages,
  RECORD_COLUMNS,
  resolveTarget,
  settleIntentsDone,
  settleIntentsFailed,
  type RecordForRepublish,
  type RepublishTarget,
  type ResolvedTarget,
  type StoredMessageRow,
} from '@/lib/bus/republish-outbox';
import { retryTransient } from '@/lib/db/retry-transient';
import type { RepublishDeps } from '@/lib/jobs/republish-runtime';
import type { RepublishRequest } from '@/lib/schemas/republish';
import { targetIssues, type TargetContext } from '@/lib/schemas/republish-target';
import { OwnerUnavailableError, type IntentOwner } from '@/lib/bus/republish-owner';
import { BrokerUnavailableError, UNENCODABLE, type RepublishPublisher } from '@/lib/bus/republish-publisher';
import type { Actor } from './actor';
import { busyOnLockTimeout } from './busy-on-lock-timeout';
import { getRepublishRuntime } from './runtime';

export interface RepublishInput {
  deadLetterId: string;
  actor: Actor;
  reason: string;
  /** the edited body text; absent = the stored bytes unchanged */
  body?: string;
  target?: RepublishTarget;
  force?: boolean;
}

export interface RepublishResult {
  status: 'republished';
  republishedAt: string;
  target: { kind: 'origin' | 'exchange'; exchange: string; routingKey: string };
  republishCount: number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Within how long recovery settles a republish whose settle failed: 60 s when this process holds
 * the recovery duty, five minutes (a hung intent) when another process does, then a 30 s pass.
 */
const RECORDED_WITHIN_MINUTES = 6;

export async function loadRecord(client: pg.ClientBase, id: string, lock = false): Promise<RecordForRepublish | null> {
  const { rows } = await client.query<RecordForRepublish>(`SELECT ${RECORD_COLUMNS} FROM "dead_letters" d WHERE d."id" = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

/**
 * The checks of an edited body: its eventId stays the record's, always (the record's identity, and
 * what idempotent consumers deduplicate on: not even an admin's force changes it, as a bulk
 * transformation cannot); then its contract, a contract violation (422) unless an admin forces it.
 */
export function checkEditedBody(record: RecordForRepublish, text: string, forced: boolean): void {
  const result = validateBody(Buffer.from(text, 'utf8'), record.contentType ?? undefined);
  // read as the drain read the record's (trimmed and cleaned, lib/bus/prepare-dead-letter.ts)
  const editedId = cleanText(result.eventId?.trim() || null, 500);
  if (record.eventId && editedId !== record.eventId) {
    throw new ActionError(
      'contract_violation',
      `The edited body ${editedId === null ? 'has no eventId' : 'changes the eventId'}: it must stay ${record.eventId}, the eventId of a republished event never changes (not even forced)`,
      { status: result.status, violations: [{ path: '$.eventId', message: `must stay ${record.eventId}: the eventId of a republished event never changes` }] },
    );
  }
  if (result.status === 'valid' || forced) return;
  throw new ActionError('contract_violation', `The edited body breaks the contract (${result.status}); fix it or, as an admin, force it`, {
    status: result.status,
    violations: result.violations,
  });
}

export function bodyDiff(original: Buffer, edited: string, id: string): string {
  return editedBodyDiff(utf8.decode(original), edited, `dead-letter/${id}`);
}

function checkRetryLimit(record: RecordForRepublish, input: RepublishInput, maxRetries: number): void {
  if (record.republishCount < maxRetries) return;
  if (input.force && input.actor.role === 'admin') return;
  throw conflict(`Republished ${record.republishCount} times already (limit ${maxRetries}); only an admin can force another, with a reason`, {
    reason: 'retry-limit',
    republishCount: record.republishCount,
    maxRetries,
  });
}

function notPending(record: RecordForRepublish): ActionError {
  return conflict(`This dead letter is ${record.status}, not pending: nothing was sent`, { reason: 'not-pending', status: record.status });
}

async function checkTargetExists(publisher: RepublishPublisher, target: ResolvedTarget): Promise<void> {
  try {
    if (target.exchange === '') {
      const missing = await publisher.missingQueues([target.routingKey]);
      if (missing.size) throw conflict(`Target queue "${target.routingKey}" does not exist on the broker: nothing was sent`, { reason: 'unroutable', target });
    } else if (!(await publisher.exchangeExists(target.exchange))) {
      throw conflict(`Target exchange "${target.exchange}" does not exist on the broker: nothing was sent`, { reason: 'unroutable', target });
    }
  } catch (err) {
    if (err instanceof BrokerUnavailableError) throw unavailable(`${err.message}; nothing was sent`);
    throw err;
  }
}

function targetContextOf(deps: RepublishDeps): TargetContext {
  return deps.targetContext ?? { ownQueues: [deps.publisher.ledgerQueue] };
}

/** The owner lock, within OWNER_WAIT_MS, or unavailable (503): without it an intent could not be told from a crashed one. */
export async function ownerHeld(owner: IntentOwner): Promise<void> {
  try {
    await owner.held();
  } catch (err) {
    if (err instanceof OwnerUnavailableError)
      throw unavailable(`Republishing is unavailable: ${err.message}; nothing was sent`, { reason: 'owner-unavailable' });
    throw err;
  }
}

/**
 * The action: republish one dead letter (edited when the request has a body) with this
 * process's runtime. A failed call changes nothing.
 */
export async function republishDeadLetter(actor: Actor, input: RepublishRequest & { id: string }): Promise<RepublishResult> {
  return republishOne(getRepublishRuntime(), {
    deadLetterId: input.id,
    actor: { name: actor.name, role: actor.role },
    reason: input.reason ?? 'retry',
    body: input.body,
    target: input.target,
    force: input.force,
  });
}

/** The engine, with its dependencies given (tests give their own database and broker). */
export async function republishOne(deps: RepublishDeps, input: RepublishInput): Promise<RepublishResult> {
  const log = (deps.logger ?? rootLogger).child({ deadLetterId: input.deadLetterId, actor: input.actor.name });
  const forced = Boolean(input.force && input.actor.role === 'admin');
  if (input.force && !forced) throw forbidden('Only an admin can force a republish');

  // 1. Checks that need no lock: they make the common refusals cheap and change nothing.
  const client = await deps.pool.connect();
  let record: RecordForRepublish | null;
  let stored;
  try {
    record = await loadRecord(client, input.deadLetterId);
    stored = record ? (await loadMessages(client, [record.id])).get(record.id) : undefined;
  } catch (err) {
    client.release(true); // its backend may be gone: not back into the pool
    throw err;
  }
  client.release();
  if (!record) throw notFound('Dead letter');
  if (record.status !== 'pending') throw notPending(record);
  checkRetryLimit(record, input, deps.maxRetries);
  if (!stored) throw conflict('No stored message for this dead letter: nothing to republish', { reason: 'no-message' });
  const target = resolveTarget(record, input.target, deps.eventsExchange);
  if (!target) {
    throw invalid('This dead letter has no origin queue (it carried no x-death): choose an exchange and routing key', [
      { field: 'target', message: 'no origin queue: choose an exchange and routing key' },
    ]);
  }
  const refused = targetIssues(target, targetContextOf(deps));
  if (refused.length) throw invalid(`This target is refused: ${refused[0].message}`, refused);
  let editedBody: Buffer | null = null;
  let diff: string | undefined;
  if (input.body !== undefined) {
    checkEditedBody(record, input.body, forced);
    editedBody = Buffer.from(input.body, 'utf8');
  }
  await checkTargetExists(deps.publisher, target);
  // the diff (bounded, republish-diff.ts) only once every check has passed
  if (input.body !== undefined) diff = bodyDiff(stored.body, input.body, record.id);
  await ownerHeld(deps.owner);

  // 2. The intent, under the row lock: status, in-flight and limit are checked again here
  // because another request may have got in since step 1. The lock wait is bounded
  // (lock_timeout): a record held by a long transaction answers 409 busy.
  const { intentId, republishNumber } = await busyOnLockTimeout(() =>
    inTransaction(deps.pool, async (tx) => {
      const locked = await loadRecord(tx, input.deadLetterId, true);
      if (!locked) throw notFound('Dead letter');
      if (locked.status !== 'pending') throw notPending(locked);
      checkRetryLimit(locked, input, deps.maxRetries);
      const republishNumber = locked.republishCount + 1;
      const ids = await insertIntents(tx, [
        {
          deadLetterId: locked.id,
          republishNumber,
          target,
          editedBody,
          actor: input.actor.name,
          reason: input.reason,
          details: { ...(diff ? { diff } : {}), ...(forced ? { forced: true } : {}) },
          bulkJobId: null,
          owner: deps.owner.id,
          attemptsAtClaim: locked.attempts,
        },
      ]);
      const intentId = ids.get(locked.id);
      if (!intentId) throw conflict('A republish of this dead letter is already in flight: nothing more was sent', { reason: 'in-flight' });
      return { intentId, republishNumber };
    }),
  );

  deps.owner.track([intentId]);
  try {
    return await publishAndSettle(deps, { record, stored, target, intentId, republishNumber, editedBody }, log);
  } finally {
    deps.owner.untrack([intentId]);
  }
}

async function publishAndSettle(
  deps: RepublishDeps,
  c: { record: RecordForRepublish; stored: StoredMessageRow; target: ResolvedTarget; intentId: string; republishNumber: number; editedBody: Buffer | null },
  log: Logger,
): Promise<RepublishResult> {
  const { record, stored, target, intentId, republishNumber, editedBody } = c;
  // 3. Publish and wait for the broker's confirm.
  const message = buildRepublishMessage(stored, { deadLetterId: record.id, republishNumber, intentId, editedBody });
  let outcome;
  const outgoing = { intentId, exchange: target.exchange, routingKey: target.routingKey, message, ledger: target.ledger };
  try {
    if (target.exchange === '') [outcome] = await deps.publisher.publishAll([outgoing]);
    else {
      // A named exchange may refuse the publish by closing the channel (an internal exchange):
      // it goes out on a channel of its own, and a refusal is the operator's to fix (400).
      const isolated = await deps.publisher.publishIsolated(outgoing);
      if (isolated.outcome === 'refused') {
        await inTransaction(deps.pool, (tx) => settleIntentsFailed(tx, [intentId], `refused by the broker: ${isolated.error}`));
        throw invalid(`The broker refused a publish to exchange "${target.exchange}": ${isolated.error}; nothing was sent`, [
          { field: 'target.exchange', message: isolated.error ?? 'refused by the broker' },
        ]);
      }
      outcome = isolated.outcome;
    }
  } catch (err) {
    if (!(err instanceof BrokerUnavailableError)) throw err;
    // Nothing left this process: the intent can be closed as failed right away.
    await inTransaction(deps.pool, (tx) => settleIntentsFailed(tx, [intentId], err.message));
    throw unavailable(`${err.message}; nothing was sent`);
  }
  if (outcome === 'unknown') {
    // It may have reached the broker: leave the intent to recovery, which reads the ledger.
    log.warn({ intentId }, 'republish outcome unknown (connection lost before the confirm)');
    throw unavailable('The broker connection was lost before it confirmed; the outcome is being settled, check the record shortly', {
      intentId,
    });
  }
  if (outcome === 'unencodable') {
    // nothing was written, and sending it again would fail the same way: the message's to fix
    await inTransaction(deps.pool, (tx) => settleIntentsFailed(tx, [intentId], UNENCODABLE));
    throw unprocessable(`Not sent: ${UNENCODABLE}`, { reason: 'unencodable' });
  }
  if (outcome !== 'ok') {
    await inTransaction(deps.pool, (tx) => settleIntentsFailed(tx, [intentId], outcome));
    if (outcome === 'unroutable')
      throw conflict(`No queue took the message (unroutable via "${target.exchange}" / "${target.routingKey}"): nothing was sent`, {
        reason: 'unroutable',
        target,
      });
    throw unavailable('The broker refused the message (nack): nothing was sent', { reason: 'nacked' });
  }
  deps.afterConfirm?.();

  // 4. Settle.
  // the broker has it: a settle that lost its connection is tried again on another one. One that
  // still fails (a table locked past lock_timeout, the database gone) must not be answered as
  // "busy, nothing was changed": the message was sent (found by an adversarial probe, the operator
  // may then have retried it or discarded it). Its intent stays pending for recovery, which
  // settles it from the ledger copy.
  let settled;
  try {
    [settled] = await retryTransient(() => inTransaction(deps.pool, (tx) => settleIntentsDone(tx, [intentId])));
  } catch (err) {
    log.error({ intentId, err: errorText(err) }, 'republished, but the settle failed: left to recovery');
    // a queue target has a ledger copy, from which recovery records it; an exchange target has
    // none, and recovery can only note that the outcome is unknown
    const then = target.ledger
      ? `It will show as republished within about ${RECORDED_WITHIN_MINUTES} minutes`
      : `It stays pending, with a note that the outcome is unknown, within about ${RECORDED_WITHIN_MINUTES} minutes`;
    throw unavailable(`Sent: the broker confirmed the message, but recording it failed (${errorText(err)}). ${then}; do not retry it, it would be sent twice`, {
      reason: 'sent-not-recorded',
      intentId,
    });
  }
  log.info({ intentId, target, republishNumber }, 'republished');
  return {
    status: 'republished',
    republishedAt: (settled?.settledAt ?? new Date()).toISOString(),
    target: { kind: target.kind, exchange: target.exchange, routingKey: target.routingKey },
    republishCount: republishNumber,
  };
}

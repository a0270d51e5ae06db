// The republish outbox in SQL: claim (record the intent, under the record's row lock, before
// anything is published) and settle (after the broker's confirm, or by recovery).
//
// Invariants kept here:
// - At most one unfinished intent per dead letter (partial unique index), and intents are only
//   created for records that are 'pending': a second click, operator or HTTP retry gets 409.
// - A record becomes 'republished' only in the transaction that settles its intent 'done', and
//   that same transaction moves failure_groups.pending_count and writes history (and audit).
import type pg from 'pg';
import { uuidArray } from '@/lib/db/uuid-array';
import type { Json } from './amqp-values';
import { fillBigBodies, inlineBody, type BodyRef } from './message-body';
import { auditInsertSql, deadLetterTargetSql } from '@/lib/audit/record-audit';

export type RepublishTarget = { kind: 'origin' } | { kind: 'exchange'; exchange?: string; routingKey: string };

export interface ResolvedTarget {
  kind: 'origin' | 'exchange';
  exchange: string;
  routingKey: string;
  /** a ledger copy can go along (default exchange only) */
  ledger: boolean;
}

export interface RecordForRepublish {
  id: string;
  status: string;
  eventId: string | null;
  eventType: string | null;
  version: string | null;
  queue: string;
  exchange: string | null;
  routingKey: string | null;
  groupId: string;
  republishCount: number;
  attempts: number;
  contentType: string | null;
}

export const RECORD_COLUMNS = `d."id", d."status", d."event_id" AS "eventId", d."event_type" AS "eventType", d."version",
  d."queue", d."exchange", d."routing_key" AS "routingKey", d."group_id" AS "groupId",
  d."republish_count" AS "republishCount", d."attempts", d."content_type" AS "contentType"`;

/** Default: back to the consumer queue it died in, through the default exchange. */
export function resolveTarget(
  record: Pick<RecordForRepublish, 'queue' | 'exchange'>,
  target: RepublishTarget | undefined,
  eventsExchange: string,
): ResolvedTarget | null {
  if (!target || target.kind === 'origin') {
    if (!record.queue) return null;
    return { kind: 'origin', exchange: '', routingKey: record.queue, ledger: true };
  }
  const exchange = target.exchange ?? record.exchange ?? eventsExchange;
  // A named exchange routes by its own bindings: a BCC to the ledger would go through it too
  // (and to any queue bound with '#'), so exchange targets go without a ledger copy.
  return { kind: 'exchange', exchange, routingKey: target.routingKey, ledger: exchange === '' };
}

export interface IntentInput {
  deadLetterId: string;
  republishNumber: number;
  target: ResolvedTarget;
  editedBody: Buffer | null;
  actor: string;
  reason: string | null;
  details: unknown;
  bulkJobId: string | null;
  owner: string;
  /** the record's attempts when claimed: more at settle time means it already died again */
  attemptsAtClaim: number;
}

/**
 * Bodies as one binary parameter with each one's offset and length (-1: none), for a statement
 * to cut apart with substring: as a bytea[] they would travel as hex text, each byte two
 * characters encoded by Node and decoded by PostgreSQL (measured on a bulk job with a
 * transformation: ~20 us a 1 KB body, a tenth of what the whole republish costs).
 */
function packBodies(bodies: (Buffer | null)[]): { bytes: Buffer; offsets: number[]; lengths: number[] } {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for (const b of bodies) {
    offsets.push(at);
    lengths.push(b ? b.byteLength : -1);
    at += b?.byteLength ?? 0;
  }
  return { bytes: Buffer.concat(bodies.filter((b): b is Buffer => b !== null)), offsets, lengths };
}

/** Inserts intents; returns the ids by dead letter. Rows with an unfinished intent already are left out. */
export async function insertIntents(client: pg.ClientBase, rows: IntentInput[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (rows.length === 0) return ids;
  const packed = packBodies(rows.map((r) => r.editedBody));
  const { rows: inserted } = await client.query<{ id: string; dead_letter_id: string }>(
    `INSERT INTO "republish_intents" ("dead_letter_id", "republish_number", "target_kind", "exchange", "routing_key", "ledger",
        "edited_body", "actor", "reason", "details", "bulk_job_id", "owner")
     SELECT u.dl, u.n, u.kind, u.ex, u.rk, u.ledger, CASE WHEN u.len < 0 THEN NULL ELSE substring($7::bytea FROM u.off + 1 FOR u.len) END,
            u.actor, u.reason, u.details, u.job, u.owner
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bool[], $13::int[], $14::int[], $8::text[], $9::text[], $10::jsonb[], $11::uuid[], $12::text[])
       AS u(dl, n, kind, ex, rk, ledger, off, len, actor, reason, details, job, owner)
     ON CONFLICT ("dead_letter_id") WHERE "state" = 'pending' DO NOTHING
     RETURNING "id", "dead_letter_id"`,
    [
      rows.map((r) => r.deadLetterId),
      rows.map((r) => r.republishNumber),
      rows.map((r) => r.target.kind),
      rows.map((r) => r.target.exchange),
      rows.map((r) => r.target.routingKey),
      rows.map((r) => r.target.ledger),
      packed.bytes,
      rows.map((r) => r.actor),
      rows.map((r) => r.reason),
      rows.map((r) => JSON.stringify({ ...((r.details as object | null) ?? {}), attemptsAtClaim: r.attemptsAtClaim })),
      rows.map((r) => r.bulkJobId),
      rows.map((r) => r.owner),
      packed.offsets,
      packed.lengths,
    ],
  );
  for (const r of inserted) ids.set(r.dead_letter_id, r.id);
  return ids;
}

/** A record of a bulk batch as claimed: its intent, or null when it cannot go (see claimForBulk). */
export interface ClaimedRecord extends Pick<RecordForRepublish, 'id' | 'status' | 'queue' | 'republishCount'> {
  intentId: string | null;
  /** the newest stored message, read only for records that got an intent */
  body: Buffer | null;
  properties: Json | null;
  headers: Json | null;
}

/**
 * A bulk batch's claim in one statement: the records locked in id order; an intent inserted
 * for each one that can go (pending, under the retry limit unless forced, with an origin queue,
 * no unfinished intent already), as insertIntents would write it for an origin target; and for
 * those, the newest stored message (the drain can only store a newer one by updating the
 * record, which the lock holds off). What is the same for the whole batch (actor, reason, job,
 * owner) is sent once, not once per row.
 */
export async function claimForBulk(
  client: pg.ClientBase,
  o: { deadLetterIds: string[]; actor: string; reason: string; bulkJobId: string; owner: string; maxRetries: number; force: boolean },
): Promise<ClaimedRecord[]> {
  const { rows } = await client.query<ClaimedRecord & BodyRef>(
    `WITH locked AS (
       SELECT d."id", d."status", d."queue", d."republish_count" AS "republishCount", d."attempts", d."latest_message_id"
       FROM "dead_letters" d WHERE d."id" = ANY($1::uuid[]) ORDER BY d."id" FOR UPDATE
     ), ins AS (
       INSERT INTO "republish_intents" ("dead_letter_id", "republish_number", "target_kind", "exchange", "routing_key", "ledger",
           "actor", "reason", "details", "bulk_job_id", "owner")
       SELECT l."id", l."republishCount" + 1, 'origin', '', l."queue", true,
              $2, $3, jsonb_build_object('attemptsAtClaim', l."attempts"), $4::uuid, $5
       FROM locked l
       WHERE l."status" = 'pending' AND (l."republishCount" < $6 OR $7) AND l."queue" <> ''
       ON CONFLICT ("dead_letter_id") WHERE "state" = 'pending' DO NOTHING
       RETURNING "id", "dead_letter_id"
     )
     SELECT l."id", l."status", l."queue", l."republishCount", ins."id" AS "intentId", m."body", m."properties", m."headers",
            m."messageId", m."bodySize"
     FROM locked l
     LEFT JOIN ins ON ins."dead_letter_id" = l."id"
     -- only for records that got an intent (in the lateral's own WHERE, so the others are not
     -- read at all); one primary-key lookup each: LIMIT 1 keeps the planner from a hash join
     -- over the whole messages table
     LEFT JOIN LATERAL (
       SELECT ${inlineBody('x."body"')} AS "body", x."properties", x."headers", x."id"::text AS "messageId", octet_length(x."body") AS "bodySize"
       FROM "dead_letter_messages" x
       WHERE ins."id" IS NOT NULL
         AND x."id" = COALESCE(l."latest_message_id", (SELECT max(y."id") FROM "dead_letter_messages" y WHERE y."dead_letter_id" = l."id"))
       LIMIT 1
     ) m ON true`,
    [uuidArray(o.deadLetterIds), o.actor, o.reason, o.bulkJobId, o.owner, o.maxRetries, o.force],
  );
  // bodies over 1 MB were left out of the statement: read each in pieces (message-body.ts)
  return fillBigBodies(client, rows);
}

/** A record of a transforming bulk batch as read for its transformation. */
export interface TransformReadRecord extends ClaimedRecord {
  /** the newest stored message's id (dead_letter_messages.id); null when none is stored */
  messageId: string | null;
}

/**
 * A transforming bulk batch's read (its claim is claimTransformed, with each transformed body):
 * the records and the newest stored message of each. Not locked, and the
 * claim's conditions are checked under the lock only: the transformation may take seconds, and
 * runs outside any transaction.
 */
export async function readForTransform(
  client: pg.ClientBase,
  deadLetterIds: string[],
  /** the largest body the transformation takes (MAX_TRANSFORM_BODY_BYTES): larger ones are not read, their body null */
  maxTransformBytes: number,
): Promise<TransformReadRecord[]> {
  const { rows } = await client.query<TransformReadRecord & BodyRef>(
    `SELECT d."id", d."status", d."queue", d."republish_count" AS "republishCount", NULL::uuid AS "intentId",
            m."body", m."properties", m."headers", m."messageId", m."bodySize"
     FROM "dead_letters" d
     LEFT JOIN LATERAL (
       SELECT ${inlineBody('x."body"')} AS "body", x."properties", x."headers", x."id"::text AS "messageId", octet_length(x."body") AS "bodySize"
       FROM "dead_letter_messages" x
       WHERE x."id" = COALESCE(d."latest_message_id", (SELECT max(y."id") FROM "dead_letter_messages" y WHERE y."dead_letter_id" = d."id"))
       LIMIT 1
     ) m ON true
     WHERE d."id" = ANY($1::uuid[])`,
    [uuidArray(deadLetterIds)],
  );
  // a body over what a transformation takes is not read (its body stays null): it is refused for
  // its size alone (8 bodies of 100 MB, read whole only to be skipped, took 2.5 min and 0.6 GB; a
  // batch of 5,000 could hold 5,000 of them: an adversarial probe)
  await fillBigBodies(
    client,
    rows.filter((r) => Number(r.bodySize ?? 0) <= maxTransformBytes),
  );
  return rows;
}

/** A transformed message a bulk batch offers to send: its record, the message transformed, and what it sends. */
export interface TransformedOffer {
  deadLetterId: string;
  /** the dead_letter_messages row transformed (readForTransform) */
  messageId: string;
  editedBody: Buffer | null;
  /** the transformation's diff, for the history */
  diff: string | null;
}

/** A record of a transforming batch as its claim found it, locked. */
export interface TransformedClaimRecord extends Pick<ClaimedRecord, 'id' | 'status' | 'queue' | 'republishCount' | 'intentId'> {
  attempts: number;
  /** pending, under the retry limit (or forced), with an origin queue and no unfinished intent */
  eligible: boolean;
  /** its newest message's id as the record knows it (null on a record from before it was kept) */
  latestMessageId: string | null;
}

/**
 * A transforming bulk batch's claim in one statement, after its messages were transformed
 * outside any transaction: the records locked in id order, the claim's conditions checked
 * (claimForBulk's), and an intent written for each offer whose record may go and whose newest
 * message is still the one transformed, holding its bytes and diff, as insertIntents would write
 * it for an origin target (what is the same for the whole batch sent once, the edited bodies
 * packed). Returns every record found, with its intent id when it got one.
 */
export async function claimTransformed(
  client: pg.ClientBase,
  batch: { deadLetterIds: string[]; maxRetries: number; force: boolean; actor: string; reason: string; bulkJobId: string; owner: string },
  offers: TransformedOffer[],
): Promise<TransformedClaimRecord[]> {
  const packed = packBodies(offers.map((o) => o.editedBody));
  const { rows } = await client.query<TransformedClaimRecord>(
    `WITH locked AS (
       SELECT d."id", d."status", d."queue", d."republish_count", d."attempts", d."latest_message_id",
              (d."status" = 'pending' AND (d."republish_count" < $2 OR $3) AND d."queue" <> ''
               AND NOT EXISTS (SELECT 1 FROM "republish_intents" r WHERE r."dead_letter_id" = d."id" AND r."state" = 'pending')) AS "eligible"
       FROM "dead_letters" d WHERE d."id" = ANY($1::uuid[]) ORDER BY d."id" FOR UPDATE
     ), ins AS (
       INSERT INTO "republish_intents" ("dead_letter_id", "republish_number", "target_kind", "exchange", "routing_key", "ledger",
          "edited_body", "actor", "reason", "details", "bulk_job_id", "owner")
       SELECT l."id", l."republish_count" + 1, 'origin', '', l."queue", true,
              CASE WHEN u.len < 0 THEN NULL ELSE substring($4::bytea FROM u.off + 1 FOR u.len) END,
              $7, $8, jsonb_strip_nulls(jsonb_build_object('attemptsAtClaim', l."attempts", 'diff', u.diff)), $9::uuid, $10
       FROM unnest($11::uuid[], $12::bigint[], $5::int[], $6::int[], $13::text[]) AS u(dl, mid, off, len, diff)
       JOIN locked l ON l."id" = u.dl
       WHERE l."eligible" AND (l."latest_message_id" IS NULL OR l."latest_message_id" = u.mid)
       ON CONFLICT ("dead_letter_id") WHERE "state" = 'pending' DO NOTHING
       RETURNING "id", "dead_letter_id"
     )
     SELECT l."id", l."status", l."queue", l."republish_count" AS "republishCount", l."attempts", l."eligible",
            l."latest_message_id"::text AS "latestMessageId", i."id" AS "intentId"
     FROM locked l LEFT JOIN ins i ON i."dead_letter_id" = l."id"`,
    [
      uuidArray(batch.deadLetterIds),
      batch.maxRetries,
      batch.force,
      packed.bytes,
      packed.offsets,
      packed.lengths,
      batch.actor,
      batch.reason,
      batch.bulkJobId,
      batch.owner,
      uuidArray(offers.map((o) => o.deadLetterId)),
      offers.map((o) => o.messageId),
      offers.map((o) => o.diff),
    ],
  );
  return rows;
}

export interface StoredMessageRow {
  deadLetterId: string;
  body: Buffer;
  properties: Json;
  headers: Json;
}

/** The newest stored copy of each dead letter's message. */
export async function loadMessages(client: pg.ClientBase, deadLetterIds: string[]): Promise<Map<string, StoredMessageRow>> {
  const out = new Map<string, StoredMessageRow>();
  if (deadLetterIds.length === 0) return out;
  const { rows } = await client.query<StoredMessageRow & BodyRef>(
    `SELECT d."id" AS "deadLetterId", ${inlineBody('m."body"')} AS "body", m."properties", m."headers",
            m."id"::text AS "messageId", octet_length(m."body") AS "bodySize"
     FROM "dead_letters" d
     JOIN "dead_letter_messages" m ON m."id" = COALESCE(d."latest_message_id",
       (SELECT max(x."id") FROM "dead_letter_messages" x WHERE x."dead_letter_id" = d."id"))
     WHERE d."id" = ANY($1::uuid[])`,
    [deadLetterIds],
  );
  for (const r of await fillBigBodies(client, rows))
    out.set(r.deadLetterId, { deadLetterId: r.deadLetterId, body: r.body ?? Buffer.alloc(0), properties: r.properties, headers: r.headers });
  return out;
}

export interface SettledIntent {
  intentId: string;
  deadLetterId: string;
  bulkJobId: string | null;
  /** false when the record was no longer pending (nothing changed on it) */
  applied: boolean;
  settledAt: Date;
}

/**
 * Marks intents done after the broker confirmed them, and their records republished: intents,
 * records, history and (for single actions) audit in one statement, then the groups' pending counts.
 * Only intents still 'pending' are settled, so settling twice (the process and recovery) is harmless.
 */
export async function settleIntentsDone(
  client: pg.ClientBase,
  intentIds: string[],
  via: 'confirm' | 'recovery' = 'confirm',
  /** the intents' dead letters when the caller knows them (a bulk batch): saves looking them up */
  deadLetterIds?: string[],
): Promise<SettledIntent[]> {
  if (intentIds.length === 0) return [];
  // Lock order: records first, then intents, as claims do (a claim holds the record's lock
  // while its insert waits on the intent's unique index); the other order deadlocks.
  if (deadLetterIds) {
    await client.query(`SELECT 1 FROM "dead_letters" WHERE "id" = ANY($1::uuid[]) ORDER BY "id" FOR UPDATE`, [uuidArray(deadLetterIds)]);
  } else {
    await client.query(
      `SELECT 1 FROM "dead_letters" WHERE "id" IN (SELECT "dead_letter_id" FROM "republish_intents" WHERE "id" = ANY($1::uuid[]))
       ORDER BY "id" FOR UPDATE`,
      [uuidArray(intentIds)],
    );
  }
  const { rows } = await client.query<SettledIntent & { leftGroup: string | null }>(
    `WITH done AS (
       UPDATE "republish_intents" SET "state" = 'done', "settled_at" = clock_timestamp()
       WHERE "id" = ANY($1::uuid[]) AND "state" = 'pending'
       RETURNING "id", "dead_letter_id", "republish_number", "target_kind", "exchange", "routing_key", "actor", "reason",
                 "details" - 'attemptsAtClaim' AS "details", ("details"->>'attemptsAtClaim')::int AS "attempts_at_claim",
                 "bulk_job_id", "settled_at", ("edited_body" IS NOT NULL) AS "edited"
     ), upd AS (
       -- A consumer can fail the message again, and the drain bring it back (attempts + 1,
       -- pending), before this commit: then it was republished but is pending again.
       UPDATE "dead_letters" d SET
         "status" = CASE WHEN d."attempts" > COALESCE(done."attempts_at_claim", d."attempts") THEN d."status" ELSE 'republished' END,
         "republish_count" = GREATEST(d."republish_count", done."republish_number"), "updated_at" = now()
       FROM done WHERE d."id" = done."dead_letter_id" AND d."status" = 'pending'
       RETURNING d."id", d."group_id", d."event_id", d."status"
     ), hist AS (
       INSERT INTO "dead_letter_history" ("dead_letter_id", "at", "action", "actor", "reason", "details")
       SELECT done."dead_letter_id", done."settled_at", 'republished', done."actor", done."reason",
              jsonb_strip_nulls(jsonb_build_object(
                'intentId', done."id", 'republishCount', done."republish_number", 'edited', done."edited",
                'target', jsonb_build_object('kind', done."target_kind", 'exchange', done."exchange", 'routingKey', done."routing_key"),
                'bulkJobId', done."bulk_job_id", 'settledBy', $2::text,
                -- what an edit changed: the single edit's line diff, or a bulk transformation's
                'diff', done."details"->'diff'))
       FROM done JOIN upd ON upd."id" = done."dead_letter_id"
       RETURNING 1
     ), aud AS (
       -- the audit line of a single republish (a bulk job's is its own, bulk-create/-finish),
       -- written here, in the settle's statement, so a bulk batch settles in one round trip;
       -- the row's columns come from the one audit definition (lib/audit/record-audit.ts)
       ${auditInsertSql(
         {
           at: 'done."settled_at"',
           actor: 'done."actor"',
           action: `CASE WHEN done."edited" THEN 'edit-republish' ELSE 'republish' END`,
           target: deadLetterTargetSql('done."dead_letter_id"'),
           reason: 'done."reason"',
           details: `jsonb_strip_nulls(COALESCE(done."details", '{}'::jsonb) || jsonb_build_object(
                'deadLetterId', done."dead_letter_id", 'eventId', upd."event_id", 'intentId', done."id",
                'republishCount', done."republish_number",
                'target', jsonb_build_object('kind', done."target_kind", 'exchange', done."exchange", 'routingKey', done."routing_key"),
                'settledBy', $2::text))`,
         },
         `FROM done JOIN upd ON upd."id" = done."dead_letter_id"
       WHERE done."bulk_job_id" IS NULL`,
       )}
       RETURNING 1
     )
     SELECT done."id" AS "intentId", done."dead_letter_id" AS "deadLetterId", done."bulk_job_id" AS "bulkJobId",
            (upd."id" IS NOT NULL) AS "applied", done."settled_at" AS "settledAt",
            CASE WHEN upd."status" = 'republished' THEN upd."group_id" END AS "leftGroup"
     FROM done LEFT JOIN upd ON upd."id" = done."dead_letter_id"`,
    [uuidArray(intentIds), via],
  );
  await decrementPending(
    client,
    rows.map((r) => r.leftGroup),
  );
  return rows.map(({ leftGroup: _, ...r }) => r);
}

/**
 * Takes records that stopped being pending off their groups' pending counts: one group id per
 * record (null: none). Late in its transaction, each group row locked in id order, so that
 * transactions doing this side by side (a bulk job's settles, discards, recovery, single
 * retries) queue on the rows instead of deadlocking.
 */
export async function decrementPending(client: pg.ClientBase, groupIds: (string | null)[]): Promise<void> {
  const left = new Map<string, number>();
  for (const g of groupIds) if (g) left.set(g, (left.get(g) ?? 0) + 1);
  if (!left.size) return;
  const groups = [...left.keys()].sort();
  await client.query(
    `WITH locked AS (SELECT "id" FROM "failure_groups" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR UPDATE)
     UPDATE "failure_groups" g SET "pending_count" = GREATEST(g."pending_count" - c.n, 0)
     FROM unnest($1::text[], $2::int[]) AS c(id, n) JOIN locked ON locked."id" = c.id WHERE g."id" = c.id`,
    [groups, groups.map((g) => left.get(g)!)],
  );
}

/** Nothing reached a queue (refused, unroutable, or never sent): the record is left as it was. */
export async function settleIntentsFailed(
  client: pg.ClientBase,
  intentIds: string[],
  error: string,
  state: 'failed' | 'abandoned' = 'failed',
): Promise<string[]> {
  if (intentIds.length === 0) return [];
  const { rows } = await client.query<{ id: string }>(
    `UPDATE "republish_intents" SET "state" = $3, "error" = $2, "settled_at" = now()
     WHERE "id" = ANY($1::uuid[]) AND "state" = 'pending' RETURNING "id"`,
    [uuidArray(intentIds), error, state],
  );
  return rows.map((r) => r.id);
}

/** Runs fn in a transaction on a pooled client. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query('BEGIN');
    result = await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    // a client whose ROLLBACK fails (its backend was killed) is destroyed, not pooled again
    const broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    client.release(broken);
    throw err;
  }
  client.release();
  return result;
}

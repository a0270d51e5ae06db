// Seeds dead letters straight into the schema, shaped as the drain stores them (raw body bytes,
// properties and headers in lib/bus/amqp-values' encoding, x-death included), and builds a
// republish runtime against a test database and broker.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Channel } from 'amqplib';
import { encodeTable } from '@/lib/bus/amqp-values';
import { createRepublishRuntime, type RepublishRuntime } from '@/lib/jobs/republish-runtime';
import type { BulkTransform } from '@/lib/schemas/bulk';
import { ignoreCleanupError } from '../helpers/cleanup';

/** n ids of dead_letter_messages taken up front, so a record can be inserted with its latest message's id. */
async function nextMessageIds(pool: pg.Pool, n: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(`SELECT nextval('dead_letter_messages_id_seq'::regclass)::text AS id FROM generate_series(1, $1)`, [n]);
  return rows.map((r) => r.id);
}

export interface SeedOptions {
  queue: string;
  exchange?: string;
  routingKey?: string;
  eventType?: string;
  groupId?: string;
  count?: number;
  republishCount?: number;
  /** body bytes per index; default a valid user.created v1 event */
  body?: (i: number, eventId: string) => Buffer;
  /** the stored messageId per index; default msg-<eventId> */
  messageId?: (i: number, eventId: string) => string;
}

export interface Seeded {
  ids: string[];
  eventIds: string[];
  groupId: string;
  bodies: Buffer[];
}

export function userCreated(eventId: string, email = 'ada@example.com'): Record<string, unknown> {
  return {
    eventId,
    eventType: 'user.created',
    timestamp: '2026-11-27T10:30:00.000Z',
    version: '1.0',
    source: 'user-service',
    data: { userId: 'user-123', email, firstName: 'Ada', lastName: 'Lovelace', role: 'STUDENT' },
  };
}

/** An order.created 1.0 whose producer sent totalAmount as a string (the bulk-fix case): invalid. */
export function orderCreatedAmountAsString(eventId: string, amount = '199.98'): Buffer {
  return Buffer.from(
    JSON.stringify({
      eventId,
      eventType: 'order.created',
      timestamp: '2026-11-20T10:34:00Z',
      version: '1.0',
      source: 'ecommerce-service',
      data: { orderId: 'order123', userId: 'user123', courseIds: ['course123', 'course456'], totalAmount: amount, currency: 'USD' },
    }),
  );
}

export const MESSAGE_TIMESTAMP = 1795800000;

export async function seedDeadLetters(pool: pg.Pool, o: SeedOptions): Promise<Seeded> {
  const n = o.count ?? 1;
  const groupId = o.groupId ?? createHash('sha256').update(randomUUID()).digest('hex').slice(0, 32);
  const exchange = o.exchange ?? 'edu.events';
  const routingKey = o.routingKey ?? 'user.created';
  const eventType = o.eventType ?? 'user.created';
  const now = new Date();
  await pool.query(
    `INSERT INTO "failure_groups" ("id", "event_type", "queue", "reason", "signature", "count", "pending_count", "first_seen_at", "last_seen_at")
     VALUES ($1, $2, $3, 'rejected', 'consumer failed', $4, $4, $5, $5)
     ON CONFLICT ("id") DO UPDATE SET "count" = "failure_groups"."count" + $4, "pending_count" = "failure_groups"."pending_count" + $4`,
    [groupId, eventType, o.queue, n, now],
  );
  const ids: string[] = [];
  const eventIds: string[] = [];
  const bodies: Buffer[] = [];
  const rows: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const eventId = randomUUID();
    const body = o.body ? o.body(i, eventId) : Buffer.from(JSON.stringify(userCreated(eventId)));
    ids.push(id);
    eventIds.push(eventId);
    bodies.push(body);
    const deathTime = { '!': 'timestamp', value: MESSAGE_TIMESTAMP + 60 };
    const headers = encodeTable({
      'x-death': [{ count: 1, reason: 'rejected', queue: o.queue, time: deathTime, exchange, 'routing-keys': [routingKey] }],
      'x-first-death-exchange': exchange,
      'x-first-death-queue': o.queue,
      'x-first-death-reason': 'rejected',
      'x-correlation-id': `corr-${i}`,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'x-tenant': 'north',
      'x-binary': Buffer.from([0, 1, 2, 255]),
    });
    const properties = encodeTable({
      contentType: 'application/json',
      deliveryMode: 2,
      messageId: o.messageId ? o.messageId(i, eventId) : `msg-${eventId}`,
      correlationId: `corr-${i}`,
      appId: 'user-service',
      timestamp: MESSAGE_TIMESTAMP,
      type: eventType,
    });
    const sha = createHash('sha256').update(body).digest('hex');
    const failedAt = new Date(now.getTime() - (n - i) * 1000);
    rows.push([
      id,
      eventId,
      eventType,
      routingKey,
      o.queue,
      exchange,
      groupId,
      body.length,
      sha,
      failedAt,
      o.republishCount ?? 0,
      body,
      JSON.stringify(properties),
      JSON.stringify(headers),
    ]);
  }
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    const col = (k: number) => chunk.map((r) => r[k]);
    // Stored as the derivation stores them (derive-records.ts): message ids first, so each record is
    // inserted complete, never updated afterwards (an update would leave its pages half full of
    // dead versions, unlike a real table, and change how later status updates fit in them).
    const mids = await nextMessageIds(pool, chunk.length);
    await pool.query(
      `WITH src AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::timestamptz[], $11::int[], $12::bytea[], $13::jsonb[], $14::jsonb[], $15::bigint[])
           AS s(id, event_id, event_type, routing_key, queue, exchange, group_id, body_size, body_sha256, failed_at, republish_count, body, properties, headers, mid)
       ), dl AS (
         INSERT INTO "dead_letters" ("id", "event_key", "event_key_source", "event_id", "event_type", "version", "routing_key", "queue", "reason",
           "exchange", "status", "attempts", "republish_count", "first_failed_at", "last_failed_at", "error_message", "validation_status", "group_id",
           "content_type", "body_size", "body_sha256", "latest_message_id")
         SELECT id, event_id, 'event-id', event_id, event_type, '1.0', routing_key, queue, 'rejected', exchange, 'pending', 1, republish_count,
           failed_at, failed_at, 'consumer failed', 'valid', group_id, 'application/json', body_size, body_sha256, mid
         FROM src RETURNING "id"
       ), m AS (
         INSERT INTO "dead_letter_messages" ("id", "dead_letter_id", "fingerprint", "body", "properties", "headers", "deaths")
         SELECT s.mid, s.id, s.body_sha256 || ':' || s.id, s.body, s.properties, s.headers, '[]'::jsonb FROM src s JOIN dl ON dl."id" = s.id
         RETURNING "id"
       )
       SELECT count(*) FROM m`,
      [...Array.from({ length: 14 }, (_, k) => col(k)), mids],
    );
  }
  return { ids, eventIds, groupId, bodies };
}

export function testRuntime(
  databaseUrl: string,
  amqpUrl: string,
  ledgerQueue: string,
  extra: { maxRetries?: number; eventsExchange?: string } = {},
): RepublishRuntime {
  return createRepublishRuntime({
    databaseUrl,
    amqpUrl,
    ledgerQueue,
    eventsExchange: extra.eventsExchange ?? 'edu.events',
    maxRetries: extra.maxRetries ?? 3,
  });
}

export async function recordState(pool: pg.Pool, id: string) {
  const { rows } = await pool.query<{ status: string; republish_count: number; pending_count: number }>(
    `SELECT d."status", d."republish_count", g."pending_count" FROM "dead_letters" d JOIN "failure_groups" g ON g."id" = d."group_id" WHERE d."id" = $1`,
    [id],
  );
  return rows[0];
}

/** Takes every message off a queue: how many copies of each dead letter it held. */
export async function copiesByDeadLetter(channel: Channel, queue: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (;;) {
    const m = await channel.get(queue, { noAck: true });
    if (!m) return seen;
    const id = String(m.properties.headers?.['x-eventdesk-dead-letter-id']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
}

/** Takes every message off a queue: the bodies it held for each dead letter. */
export async function bodiesByDeadLetter(channel: Channel, queue: string): Promise<Map<string, Buffer[]>> {
  const seen = new Map<string, Buffer[]>();
  for (;;) {
    const m = await channel.get(queue, { noAck: true });
    if (!m) return seen;
    const id = String(m.properties.headers?.['x-eventdesk-dead-letter-id']);
    seen.set(id, [...(seen.get(id) ?? []), m.content]);
  }
}

/** A bare unfinished intent, as a single retry in flight in another process (`owner`) leaves it. */
export async function insertIntent(pool: pg.Pool, o: { deadLetterId: string; queue: string; owner: string; actor?: string }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "republish_intents" ("dead_letter_id", "republish_number", "target_kind", "exchange", "routing_key", "ledger", "actor", "reason", "owner")
     VALUES ($1, 1, 'origin', '', $2, true, $3, 'x', $4) RETURNING "id"`,
    [o.deadLetterId, o.queue, o.actor ?? 'olivia@example.com', o.owner],
  );
  return rows[0].id;
}

/**
 * A republish job of a whole group, as POST /api/bulk creates it (the job, its items numbered
 * oldest first, its total), for code that cannot load that server-only module (benchmarks,
 * tests without Prisma).
 */
export async function createGroupJob(
  pool: pg.Pool,
  o: { groupId: string; ratePerSecond: number; reason?: string; actor?: string; force?: boolean; transform?: BulkTransform },
): Promise<{ jobId: string; total: number }> {
  // one transaction, as POST /api/bulk does: a runner polling meanwhile must never see the job
  // without its items (it would finish it at once with nothing done)
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "bulk_jobs" ("action", "selection", "reason", "actor", "rate_per_second", "force", "transform")
       VALUES ('republish', $1, $2, $3, $4, $5, $6) RETURNING "id"`,
      [
        JSON.stringify({ groupId: o.groupId }),
        o.reason ?? 'bug fixed',
        o.actor ?? 'olivia@example.com',
        o.ratePerSecond,
        o.force ?? false,
        o.transform ? JSON.stringify(o.transform) : null,
      ],
    );
    const jobId = rows[0].id;
    const { rowCount } = await client.query(
      `INSERT INTO "bulk_job_items" ("job_id", "seq", "dead_letter_id")
       SELECT $1::uuid, row_number() OVER (ORDER BY "last_failed_at", "id")::int, "id" FROM "dead_letters" WHERE "group_id" = $2 AND "status" = 'pending'`,
      [jobId, o.groupId],
    );
    await client.query(`UPDATE "bulk_jobs" SET "total" = $2 WHERE "id" = $1`, [jobId, rowCount]);
    await client.query('COMMIT');
    return { jobId, total: rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(ignoreCleanupError);
    throw err;
  } finally {
    client.release();
  }
}

// Test data for the triage tests (integration and e2e): dead letters inserted straight into
// PostgreSQL as the drain stores them, with the failure-group rollups kept consistent.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { groupId, groupKey } from '@/lib/groups/signature';

export interface SeedDeadLetter {
  eventId?: string;
  eventType?: string | null;
  version?: string;
  queue?: string;
  reason?: string | null;
  status?: 'pending' | 'republished' | 'discarded';
  attempts?: number;
  errorMessage?: string | null;
  validationStatus?: string;
  violations?: { path: string; message: string }[];
  correlationId?: string | null;
  lastFailedAt?: Date;
  firstFailedAt?: Date;
  body?: Buffer | string | object;
  contentType?: string | null;
  properties?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  deaths?: unknown[];
  history?: { action: string; actor: string; reason?: string | null; details?: unknown; at?: Date }[];
}

export interface Seeded {
  id: string;
  eventId: string;
  groupId: string;
  lastFailedAt: Date;
}

function bodyBytes(body: SeedDeadLetter['body'], eventId: string, eventType: string | null): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  const obj = body ?? { eventId, eventType, timestamp: new Date().toISOString(), version: '1.0', source: 'test', data: {} };
  return Buffer.from(JSON.stringify(obj), 'utf8');
}

/** Inserts one dead letter (row, message, history) and bumps its failure group and hour. */
export async function seedDeadLetter(db: pg.Pool | pg.Client, input: SeedDeadLetter = {}): Promise<Seeded> {
  const eventId = input.eventId ?? randomUUID();
  const eventType = input.eventType === undefined ? 'user.created' : input.eventType;
  const queue = input.queue ?? 'notification-service';
  const reason = input.reason === undefined ? 'rejected' : input.reason;
  const status = input.status ?? 'pending';
  const validationStatus = input.validationStatus ?? 'valid';
  const lastFailedAt = input.lastFailedAt ?? new Date();
  const firstFailedAt = input.firstFailedAt ?? lastFailedAt;
  const bytes = bodyBytes(input.body, eventId, eventType);
  const errorMessage = input.errorMessage === undefined ? 'Handler failed' : input.errorMessage;
  const key = groupKey({ eventType, queue, reason, errorMessage, fallback: validationStatus });
  const gid = groupId(key);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).slice(0, 4096);
  } catch {
    text = '';
  }
  const searchText = `${text}\n${errorMessage ?? ''}`;
  const sha = createHash('sha256').update(bytes).digest('hex');

  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO dead_letters (event_key, event_key_source, event_id, event_type, version, routing_key, queue, reason, exchange,
       status, attempts, first_failed_at, last_failed_at, error_message, validation_status, violations, correlation_id, group_id,
       content_type, body_size, body_sha256, updated_at)
     VALUES ($1, 'event-id', $1, $2, $3, $2, $4, $5, 'edu.events', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $9)
     RETURNING id::text`,
    [
      eventId,
      eventType,
      input.version ?? '1.0',
      queue,
      reason,
      status,
      input.attempts ?? 1,
      firstFailedAt,
      lastFailedAt,
      errorMessage,
      validationStatus,
      JSON.stringify(input.violations ?? []),
      input.correlationId ?? null,
      gid,
      input.contentType === undefined ? 'application/json' : input.contentType,
      bytes.length,
      sha,
    ],
  );
  const id = rows[0].id;
  // indexed at once (the drain leaves this to the search indexer)
  await db.query(`INSERT INTO dead_letter_search (dead_letter_id, document, backlog_id) VALUES ($1, to_tsvector('simple', $2), 0)`, [id, searchText]);
  const deaths = input.deaths ?? [
    { queue, reason, count: input.attempts ?? 1, exchange: 'edu.events', routingKeys: [eventType ?? ''], time: lastFailedAt.toISOString() },
  ];
  const msg = await db.query<{ id: string }>(
    `INSERT INTO dead_letter_messages (dead_letter_id, fingerprint, body, properties, headers, deaths)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
    [
      id,
      `${sha}-${randomUUID()}`,
      bytes,
      JSON.stringify(input.properties ?? { contentType: 'application/json', messageId: eventId }),
      JSON.stringify(input.headers ?? {}),
      JSON.stringify(deaths),
    ],
  );
  await db.query(`UPDATE dead_letters SET latest_message_id = $2 WHERE id = $1`, [id, msg.rows[0].id]);
  for (const h of input.history ?? [{ action: 'dead-lettered', actor: 'drain' }]) {
    await db.query(`INSERT INTO dead_letter_history (dead_letter_id, at, action, actor, reason, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
      id,
      h.at ?? lastFailedAt,
      h.action,
      h.actor,
      h.reason ?? null,
      h.details === undefined ? null : JSON.stringify(h.details),
    ]);
  }
  await db.query(
    `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7)
     ON CONFLICT (id) DO UPDATE SET count = failure_groups.count + 1, pending_count = failure_groups.pending_count + EXCLUDED.pending_count,
       first_seen_at = LEAST(failure_groups.first_seen_at, EXCLUDED.first_seen_at), last_seen_at = GREATEST(failure_groups.last_seen_at, EXCLUDED.last_seen_at)`,
    [gid, key.eventType, key.queue, key.reason, key.signature, status === 'pending' ? 1 : 0, lastFailedAt],
  );
  await db.query(
    `INSERT INTO failure_group_hours (group_id, hour, count) VALUES ($1, date_trunc('hour', $2::timestamptz), 1)
     ON CONFLICT (group_id, hour) DO UPDATE SET count = failure_group_hours.count + 1`,
    [gid, lastFailedAt],
  );
  return { id, eventId, groupId: gid, lastFailedAt };
}

// GET /api/dead-letters/:id: one dead letter with its latest message exactly as received
// (body bytes, properties, headers, x-death), its validation and its history.
import 'server-only';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { prisma } from '@/lib/server/db';
import { traceUrl } from '@/lib/server/trace-link';
import { notFound } from '@/lib/api/errors';
import { deadLetterIdSchema, VALIDITY_VALUES, type DeadLetterDetail, type Death, type Violation } from '@/lib/schemas/dead-letters';
import { DEAD_LETTER_COLUMNS, toDeadLetter, type DeadLetterRow } from './dead-letter-row';
import { readMessageBody, type MessageBody } from './read-message-body';
import { TextPieces } from '@/lib/api/json-stream';

/** DeadLetterDetail with the body's text in pieces: streamedJson sends it without joining it. */
export type DeadLetterDetailSource = Omit<DeadLetterDetail, 'body'> & { body: MessageBody };

interface DetailRow extends DeadLetterRow {
  exchange: string | null;
  content_type: string | null;
  received_at: Date;
  body_size: number;
  body_sha256: string;
  violations: unknown;
  latest_message_id: bigint | null;
  unreadable_reason: string | null;
}

interface MessageRow {
  id: bigint;
  properties: unknown;
  headers: unknown;
  deaths: unknown;
}

interface HistoryRow {
  at: Date;
  action: string;
  actor: string;
  reason: string | null;
  details: unknown;
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return v == null ? null : JSON.stringify(v);
}
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function toDeaths(v: unknown): Death[] {
  if (!Array.isArray(v)) return [];
  return v.map((d) => {
    const o = record(d);
    const count = Number(o.count);
    return {
      queue: str(o.queue),
      reason: str(o.reason),
      count: Number.isFinite(count) ? count : null,
      exchange: str(o.exchange),
      routingKeys: Array.isArray(o.routingKeys) ? o.routingKeys.map(String) : [],
      time: str(o.time),
    };
  });
}

function toViolations(v: unknown): Violation[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => ({ path: str(record(x).path) ?? '$', message: str(record(x).message) ?? '' }));
}

/**
 * `readBodyUpTo`: a body over this many bytes is not read (its data empty, its size and hash the
 * record's): a viewer is not shown such a body (MAX_MASKED_BODY_BYTES), and reading 95 MB for
 * nothing took 15 s and 560 MB.
 */
export async function getDeadLetter(id: string, db: PrismaClient = prisma, readBodyUpTo = Infinity): Promise<DeadLetterDetailSource> {
  if (!deadLetterIdSchema.safeParse(id).success) throw notFound('Dead letter');
  const [row] = await db.$queryRaw<DetailRow[]>`
    SELECT ${DEAD_LETTER_COLUMNS}, "exchange", "content_type", "received_at", "body_size", "body_sha256",
           "violations", "latest_message_id", "unreadable_reason"
    FROM "dead_letters" WHERE "id" = ${id}::uuid`;
  if (!row) throw notFound('Dead letter');

  const [messages, history] = await Promise.all([
    row.latest_message_id !== null
      ? db.$queryRaw<MessageRow[]>`SELECT "id", "properties", "headers", "deaths" FROM "dead_letter_messages"
          WHERE "id" = ${row.latest_message_id} AND "dead_letter_id" = ${id}::uuid`
      : db.$queryRaw<MessageRow[]>`SELECT "id", "properties", "headers", "deaths" FROM "dead_letter_messages"
          WHERE "dead_letter_id" = ${id}::uuid ORDER BY "id" DESC LIMIT 1`,
    db.$queryRaw<HistoryRow[]>`SELECT "at", "action", "actor", "reason", "details" FROM "dead_letter_history"
      WHERE "dead_letter_id" = ${id}::uuid ORDER BY "at", "id"`,
  ]);
  const message = messages[0];
  // the body in pieces, never one multi-MB read (read-message-body.ts)
  const body =
    message && Number(row.body_size) <= readBodyUpTo
      ? await readMessageBody(db, message.id)
      : { encoding: 'utf8' as const, data: new TextPieces([]), sizeBytes: Number(row.body_size), sha256: row.body_sha256 };
  const status = (VALIDITY_VALUES as readonly string[]).includes(row.validation_status)
    ? (row.validation_status as DeadLetterDetail['validation']['status'])
    : 'unparseable';

  return {
    ...toDeadLetter(row),
    exchange: row.exchange,
    contentType: row.content_type,
    receivedAt: row.received_at.toISOString(),
    body,
    properties: record(message?.properties),
    headers: record(message?.headers),
    deaths: toDeaths(message?.deaths),
    validation: { status, violations: toViolations(row.violations) },
    history: history.map((h) => ({ at: h.at.toISOString(), action: h.action, actor: h.actor, reason: h.reason, details: h.details ?? null })),
    traceUrl: traceUrl(record(message?.headers).traceparent),
    unreadableReason: row.unreadable_reason,
  };
}

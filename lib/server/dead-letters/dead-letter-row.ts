// The columns of a dead letter in the list and the detail, and their API shape.
import 'server-only';
import { Prisma } from '@/lib/generated/prisma/client';
import type { DeadLetter } from '@/lib/schemas/dead-letters';

export const DEAD_LETTER_COLUMNS = Prisma.sql`"id"::text AS "id", "event_id", "event_type", "version", "routing_key", "queue",
  "reason", "status", "attempts", "republish_count", "first_failed_at", "last_failed_at", "error_message",
  "validation_status", "group_id", "correlation_id", "failed_again_after_retry", "dlq"`;

export interface DeadLetterRow {
  id: string;
  event_id: string | null;
  event_type: string | null;
  version: string | null;
  routing_key: string | null;
  queue: string;
  reason: string | null;
  status: string;
  attempts: number;
  republish_count: number;
  first_failed_at: Date;
  last_failed_at: Date;
  error_message: string | null;
  validation_status: string;
  group_id: string;
  correlation_id: string | null;
  failed_again_after_retry: boolean;
  dlq: string;
}

export function toDeadLetter(r: DeadLetterRow): DeadLetter {
  return {
    id: r.id,
    eventId: r.event_id,
    eventType: r.event_type,
    version: r.version,
    routingKey: r.routing_key,
    queue: r.queue,
    reason: r.reason,
    status: r.status as DeadLetter['status'],
    attempts: Number(r.attempts),
    republishCount: Number(r.republish_count),
    firstFailedAt: r.first_failed_at.toISOString(),
    lastFailedAt: r.last_failed_at.toISOString(),
    errorMessage: r.error_message,
    valid: r.validation_status === 'valid',
    validationStatus: r.validation_status,
    groupId: r.group_id,
    correlationId: r.correlation_id,
    failedAgainAfterRetry: r.failed_again_after_retry,
    dlq: r.dlq,
  };
}

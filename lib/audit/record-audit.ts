// The one writer of the append-only audit log (the table's triggers refuse UPDATE and DELETE).
// Callers pass the client of the transaction that does the action, so the line and the action
// commit together or not at all. It sits in a folder of its own, below lib/actions, lib/bus and
// lib/jobs, because all three write audit lines (lib/actions the operator's, lib/bus the settle
// of a republish, lib/jobs the bulk runner's and recovery's).

export interface AuditEntry {
  actor: string;
  /** republish | edit-republish | discard | restore | bulk-create | bulk-pause | bulk-resume | bulk-cancel | bulk-auto-pause | bulk-finish | republish-recovered | republish-abandoned | retry-unreadable | user-create | user-update | token-create | token-revoke | group-change | group-note | notification-channel-create | notification-channel-update | notification-channel-delete | notification-channel-test */
  action: string;
  /** what it was done to, e.g. "dead-letter:<uuid>", "bulk-job:<uuid>" or "group:<id>" */
  target: string;
  reason?: string | null;
  details?: unknown;
}

/** A pg client or pool, or a Prisma transaction seen through `{ query }` (see prismaAuditClient). */
export interface AuditClient {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/** The audit row: its columns, in the order every writer gives them. */
export const AUDIT_COLUMNS = ['at', 'actor', 'action', 'target', 'reason', 'details'] as const;
type AuditColumn = (typeof AUDIT_COLUMNS)[number];

/**
 * The audit insert for a statement that writes audit lines as one part of a bigger one (the
 * republish settle, lib/bus/republish-outbox.ts: intents, records, history and audit together,
 * one statement for a whole bulk batch). Each column's SQL expression, over `from`.
 */
export function auditInsertSql(row: Record<AuditColumn, string>, from: string): string {
  return `INSERT INTO "audit_log" (${AUDIT_COLUMNS.map((c) => `"${c}"`).join(', ')})
       SELECT ${AUDIT_COLUMNS.map((c) => row[c]).join(', ')}
       ${from}`;
}

export async function recordAudit(client: AuditClient, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await client.query(
    auditInsertSql(
      { at: 'clock_timestamp()', actor: 'e.actor', action: 'e.action', target: 'e.target', reason: 'e.reason', details: 'e.details' },
      'FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) AS e(actor, action, target, reason, details)',
    ),
    [
      list.map((e) => e.actor),
      list.map((e) => e.action),
      list.map((e) => e.target),
      list.map((e) => e.reason ?? null),
      list.map((e) => (e.details === undefined ? null : JSON.stringify(e.details))),
    ],
  );
}

/** A Prisma (interactive) transaction as an AuditClient. */
export function prismaAuditClient(tx: { $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> }): AuditClient {
  return { query: (text, values) => tx.$executeRawUnsafe(text, ...values) };
}

export const deadLetterTarget = (id: string) => `dead-letter:${id}`;
export const bulkJobTarget = (id: string) => `bulk-job:${id}`;
/** deadLetterTarget in SQL, of a uuid expression */
export const deadLetterTargetSql = (idExpr: string) => `'dead-letter:' || ${idExpr}`;

// Writes lines into the append-only audit log (the table's triggers refuse UPDATE and DELETE).
// Callers pass the client of the transaction that does the action, so the line and the action
// commit together or not at all.
import type pg from 'pg';

export interface AuditEntry {
  actor: string;
  /** republish | edit-republish | discard | restore | bulk-create | bulk-pause | bulk-resume | bulk-cancel | bulk-auto-pause | bulk-finish | republish-recovered | republish-abandoned | retry-unreadable */
  action: string;
  /** what it was done to, e.g. "dead-letter:<uuid>" or "bulk-job:<uuid>" */
  target: string;
  reason?: string | null;
  details?: unknown;
}

export async function insertAudit(client: pg.ClientBase, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await client.query(
    `INSERT INTO "audit_log" ("actor", "action", "target", "reason", "details")
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
    [
      entries.map((e) => e.actor),
      entries.map((e) => e.action),
      entries.map((e) => e.target),
      entries.map((e) => e.reason ?? null),
      entries.map((e) => (e.details === undefined ? null : JSON.stringify(e.details))),
    ],
  );
}

export const deadLetterTarget = (id: string) => `dead-letter:${id}`;
export const bulkJobTarget = (id: string) => `bulk-job:${id}`;

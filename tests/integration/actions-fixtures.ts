// What the actions-*.test.ts files share: the audit lines of a target, and the domain error an
// action threw.
import type pg from 'pg';
import { ActionError } from '@/lib/action-error';

export interface AuditLine {
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  details: Record<string, unknown> | null;
}

export async function auditLines(pool: pg.Pool, target: string): Promise<AuditLine[]> {
  const { rows } = await pool.query<AuditLine>(`SELECT "actor", "action", "target", "reason", "details" FROM "audit_log" WHERE "target" = $1 ORDER BY "id"`, [
    target,
  ]);
  return rows;
}

/** The ActionError p rejects with; anything else (or no error) fails the test. */
export async function actionErrorOf(p: Promise<unknown>): Promise<ActionError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ActionError) return err;
    throw err;
  }
  throw new Error('expected an ActionError');
}

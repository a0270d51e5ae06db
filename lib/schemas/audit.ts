// Query and response shapes of GET /api/audit (interface.md), shared by the route and the hook.
import { z } from 'zod';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const AUDIT_ACTIONS = [
  'republish',
  'edit-republish',
  'discard',
  'restore',
  'bulk-create',
  'bulk-pause',
  'bulk-resume',
  'bulk-cancel',
  'bulk-auto-pause',
  'bulk-finish',
  'republish-abandoned',
] as const;

export const auditQuerySchema = z.object({
  limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(500).default(50)),
  cursor: z.preprocess(blankToUndefined, z.string().regex(/^\d{1,19}$/, 'expected a cursor from a previous page').optional()),
  actor: z.preprocess(blankToUndefined, z.string().trim().max(320).optional()),
  action: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type AuditParams = Partial<Record<'cursor' | 'actor' | 'action', string>> & { limit?: number };

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  reason: z.string().nullable(),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof auditPageSchema>;

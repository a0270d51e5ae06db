// Query and response shapes of GET /api/audit (README, Fix and republish), shared by the route and the hook.
import { z } from 'zod';
import { bigintText, blankToUndefined, safeTrimmed } from './safe-input';

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
  'retry-unreadable',
  'user-create',
  'user-update',
  'token-create',
  'token-revoke',
  'notification-channel-create',
  'notification-channel-update',
  'notification-channel-delete',
  'notification-channel-test',
] as const;

export const auditQuerySchema = z.object({
  limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(500).default(50)),
  /** an audit id (bigint) from nextCursor */
  cursor: z.preprocess(blankToUndefined, bigintText().optional()),
  actor: z.preprocess(blankToUndefined, safeTrimmed(320).optional()),
  action: z.preprocess(blankToUndefined, safeTrimmed(100).optional()),
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

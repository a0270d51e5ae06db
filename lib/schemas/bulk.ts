// Request and response shapes of POST /api/bulk and GET /api/bulk/:id (README, Fix and republish), shared by
// the route handlers and the client hooks.
import { z } from 'zod';
import { deadLetterFilterSchema } from './dead-letters';
import { safeTrimmed } from './safe-input';

export const BULK_ACTIONS = ['republish', 'discard'] as const;
export const BULK_STATUSES = ['queued', 'running', 'paused', 'done', 'cancelled', 'failed'] as const;
/** A job in one of these is over: nothing moves any more. */
export const BULK_FINAL_STATUSES: readonly string[] = ['done', 'cancelled', 'failed'];
export const DEFAULT_BULK_RATE = 100;
/** Over this many messages the operator confirms by typing the count (sent as expectedCount). */
export const TYPE_TO_CONFIRM_OVER = 100;

export const bulkSelectionSchema = z.union([
  z.object({ ids: z.array(z.uuid('expected dead letter ids')).min(1).max(100_000) }).strict(),
  z.object({ groupId: z.string().regex(/^[0-9a-f]{1,64}$/i, 'expected a group id') }).strict(),
  z.object({ filter: deadLetterFilterSchema }).strict(),
]);
export type BulkSelection = z.infer<typeof bulkSelectionSchema>;

export const bulkRequestSchema = z.object({
  action: z.enum(BULK_ACTIONS),
  selection: bulkSelectionSchema,
  reason: safeTrimmed(2000, 1, 'a reason is required'),
  dryRun: z.boolean().optional(),
  /** messages per second; 0 = as fast as the broker confirms */
  ratePerSecond: z.number().int().min(0).max(1_000_000).optional(),
  /** admin only: republish past the retry limit */
  force: z.boolean().optional(),
  /** the count the operator typed (required when the selection is over TYPE_TO_CONFIRM_OVER) */
  expectedCount: z.number().int().min(0).optional(),
});
export type BulkRequest = z.infer<typeof bulkRequestSchema>;
export type BulkRequestInput = z.input<typeof bulkRequestSchema>;

export const bulkSampleItemSchema = z.object({
  id: z.string(),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  queue: z.string(),
  errorMessage: z.string().nullable(),
  lastFailedAt: z.string(),
});

export const bulkDryRunResponseSchema = z.object({
  dryRun: z.literal(true),
  count: z.number(),
  sample: z.array(bulkSampleItemSchema),
});
export type BulkDryRunResponse = z.infer<typeof bulkDryRunResponseSchema>;

export const bulkCreatedResponseSchema = z.object({ jobId: z.string(), count: z.number() });
export type BulkCreatedResponse = z.infer<typeof bulkCreatedResponseSchema>;

export const bulkJobSchema = z.object({
  id: z.string(),
  action: z.enum(BULK_ACTIONS),
  status: z.enum(BULK_STATUSES),
  total: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  skipped: z.number(),
  remaining: z.number(),
  /** messages per second lately */
  rate: z.number(),
  ratePerSecond: z.number(),
  /** records of this job that died again */
  returned: z.number(),
  pauseReason: z.string().nullable(),
  lastError: z.string().nullable(),
  actor: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type BulkJob = z.infer<typeof bulkJobSchema>;

// Request and response shapes of POST /api/dead-letters/:id/republish | discard | restore
// (README, Fix and republish), shared by the route handlers and the client hooks.
import { z } from 'zod';
import { jsonTextDepth } from '@/lib/cap-depth';
import { routingKeyIssue, targetIssues } from './republish-target';
import { safeText, safeTrimmed } from './safe-input';

export const REASON_MAX = 2000;
const reason = safeTrimmed(REASON_MAX, 1, 'a reason is required');
/** Deepest an edited body may nest (the contract check, the diff and the editor walk it). */
export const MAX_EDITED_BODY_DEPTH = 512;

export const republishTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('origin') }),
  z
    .strictObject({
      kind: z.literal('exchange'),
      /** defaults to the exchange the event was first published to, else EVENTS_EXCHANGE; '' = the default exchange */
      exchange: safeText(4096).optional(),
      /** with the default exchange (''), a queue name */
      routingKey: safeText(4096),
    })
    // The rules of lib/schemas/republish-target.ts (bytes, amq.*, EventDesk's own, DLQs), each
    // issue on its field; the republish action checks them again with this install's DLQ and ledger names.
    .superRefine((t, ctx) => {
      const issues =
        t.exchange === undefined
          ? [routingKeyIssue(t.routingKey, 'routingKey')]
          : targetIssues({ kind: 'exchange', exchange: t.exchange, routingKey: t.routingKey });
      for (const issue of issues) {
        if (!issue) continue;
        ctx.addIssue({
          code: 'custom',
          path: issue.field
            .replace(/^target\.?/, '')
            .split('.')
            .filter(Boolean),
          message: issue.message,
        });
      }
    }),
]);
export type RepublishTargetInput = z.infer<typeof republishTargetSchema>;

export const republishRequestSchema = z
  .strictObject({
    /** the edited body text; absent = the stored bytes unchanged */
    body: safeText(8 * 1024 * 1024)
      .refine((v) => jsonTextDepth(v) <= MAX_EDITED_BODY_DEPTH, `must not nest deeper than ${MAX_EDITED_BODY_DEPTH} levels`)
      .optional(),
    target: republishTargetSchema.optional(),
    reason: safeTrimmed(REASON_MAX).optional(),
    /** admin only: past the retry limit, or a body that breaks the contract */
    force: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.body !== undefined || v.force) && !v.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a reason is required to edit or force a republish' });
    }
  });
export type RepublishRequest = z.infer<typeof republishRequestSchema>;

export const resolvedTargetSchema = z.object({
  kind: z.enum(['origin', 'exchange']),
  exchange: z.string(),
  routingKey: z.string(),
});

export const republishResponseSchema = z.object({
  status: z.literal('republished'),
  republishedAt: z.string(),
  target: resolvedTargetSchema,
  republishCount: z.number(),
});
export type RepublishResponse = z.infer<typeof republishResponseSchema>;

export const discardRequestSchema = z.strictObject({ reason });
export type DiscardRequest = z.infer<typeof discardRequestSchema>;

export const restoreRequestSchema = z.strictObject({ reason: safeTrimmed(REASON_MAX).optional() });
export type RestoreRequest = z.infer<typeof restoreRequestSchema>;

export const statusChangeResponseSchema = z.object({
  id: z.string(),
  status: z.enum(['pending', 'republished', 'discarded', 'unreadable']),
  changedAt: z.string(),
});

/** POST /api/dead-letters/:id/retry: an unreadable (parked) dead letter through the drain's prepare and store again. */
export const retryUnreadableRequestSchema = z.strictObject({ reason: safeTrimmed(REASON_MAX).optional() });
export type RetryUnreadableRequest = z.infer<typeof retryUnreadableRequestSchema>;
export const retryUnreadableResponseSchema = z.object({
  /** the pending dead letter it became (a new id: the unreadable record is replaced) */
  id: z.string(),
  status: z.literal('pending'),
  previousId: z.string(),
});
export type RetryUnreadableResponse = z.infer<typeof retryUnreadableResponseSchema>;
export type StatusChangeResponse = z.infer<typeof statusChangeResponseSchema>;

/** What a 422 carries in error.details. */
export const contractViolationDetailsSchema = z.object({
  status: z.string(),
  violations: z.array(z.object({ path: z.string(), message: z.string() })),
});

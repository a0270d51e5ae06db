// Request and response shapes of POST /api/bulk and GET /api/bulk/:id (README, Fix and republish), shared by
// the route handlers and the client hooks.
import { z } from 'zod';
import { deadLetterFilterSchema } from './dead-letters';
import { instantInRange, safeText, safeTrimmed } from './safe-input';

export const BULK_ACTIONS = ['republish', 'discard'] as const;
export const BULK_STATUSES = ['scheduled', 'queued', 'running', 'paused', 'done', 'cancelled', 'failed'] as const;
/** A job in one of these is over: nothing moves any more. */
export const BULK_FINAL_STATUSES: readonly string[] = ['done', 'cancelled', 'failed'];
export const DEFAULT_BULK_RATE = 100;
/** Over this many messages the operator confirms by typing the count (sent as expectedCount). */
export const TYPE_TO_CONFIRM_OVER = 100;

export const bulkSelectionSchema = z.union(
  [
    z.object({ ids: z.array(z.uuid('expected dead letter ids')).min(1).max(100_000) }).strict(),
    z.object({ groupId: z.string().regex(/^[0-9a-f]{1,64}$/i, 'expected a group id') }).strict(),
    // strict inside too: a misspelt filter field ("evenType") would otherwise select everything;
    // and only pending dead letters are ever selected, so a status other than pending is refused
    // (it was dropped: status "discarded" selected every pending record)
    z
      .object({
        filter: deadLetterFilterSchema.strict().refine((f) => f.status === undefined || f.status === 'pending', {
          message: 'only pending dead letters can be selected: leave status out or set it to pending',
          path: ['status'],
        }),
      })
      .strict(),
  ],
  { error: 'expected exactly one of ids, groupId or filter' },
);
export type BulkSelection = z.infer<typeof bulkSelectionSchema>;

/** Longest a JSONata expression may be, in characters. */
export const MAX_JSONATA_LENGTH = 10_000;
/** Most operations a JSON Patch may hold. */
export const MAX_PATCH_OPERATIONS = 100;
/**
 * Longest a JSON Patch may be, as JSON text (its values above all). A patch's values go into every
 * message of the selection: one of 7 MB, tried on 400 messages, held the event loop 20 s and took
 * 2.4 GB while its results were compared and serialised.
 */
export const MAX_PATCH_CHARS = 256 * 1024;
/** Latest a job may be scheduled: startAt at most this many days ahead. */
export const MAX_SCHEDULE_DAYS = 30;

/** A JSON Pointer (RFC 6901): empty (the whole document) or "/"-separated tokens, "~" only as ~0 or ~1. */
const jsonPointer = safeText(1000).regex(/^(\/([^~/]|~[01])*)*$/, 'expected a JSON Pointer such as /data/totalAmount');

/**
 * Any JSON value, required (a request body is JSON already, and its depth and size are capped
 * by the body parser). Not z.json(): its recursive schema does not render in the OpenAPI document.
 */
const jsonValue = z.unknown().refine((v) => v !== undefined, 'a value is required');

/** One RFC 6902 operation; `value` is any JSON (the body's own limits apply to what it becomes). */
export const jsonPatchOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: jsonPointer, value: jsonValue }).strict(),
  z.object({ op: z.literal('replace'), path: jsonPointer, value: jsonValue }).strict(),
  z.object({ op: z.literal('test'), path: jsonPointer, value: jsonValue }).strict(),
  z.object({ op: z.literal('remove'), path: jsonPointer }).strict(),
  z.object({ op: z.literal('move'), from: jsonPointer, path: jsonPointer }).strict(),
  z.object({ op: z.literal('copy'), from: jsonPointer, path: jsonPointer }).strict(),
]);
export type JsonPatchOperation = z.infer<typeof jsonPatchOperationSchema>;

/**
 * What a bulk republish does to each body before sending it (README, Fix a whole group): a JSON
 * Patch, or a JSONata expression whose result is the new body. The eventId never changes.
 */
export const bulkTransformSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('patch'),
      operations: z
        .array(jsonPatchOperationSchema)
        .min(1)
        .max(MAX_PATCH_OPERATIONS)
        .refine((ops) => JSON.stringify(ops).length <= MAX_PATCH_CHARS, `must be at most ${MAX_PATCH_CHARS} characters as JSON`),
    })
    .strict(),
  z.object({ kind: z.literal('jsonata'), expression: safeTrimmed(MAX_JSONATA_LENGTH, 1, 'an expression is required') }).strict(),
]);
export type BulkTransform = z.infer<typeof bulkTransformSchema>;

export const bulkRequestSchema = z.strictObject({
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
  /** republish only: applied to each body before it is sent (dry run: previewed) */
  transform: bulkTransformSchema.optional(),
  /** start at this time instead of now (the job is 'scheduled' until then) */
  startAt: z.iso
    .datetime({ offset: true, message: 'expected an ISO 8601 date-time with an offset, e.g. 2026-12-05T14:00:00Z' })
    .refine((v) => instantInRange(Date.parse(v)), 'expected a date-time between 1970 and 9999')
    .optional(),
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

/** What a transform does to one message: changed and valid, unchanged and valid, breaks the contract, failed, or a patch `test` failed. */
export const TRANSFORM_OUTCOMES = ['change', 'unchanged', 'break', 'error', 'test-failed'] as const;
export type TransformOutcome = (typeof TRANSFORM_OUTCOMES)[number];

export const transformSampleItemSchema = z.object({
  id: z.string(),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  queue: z.string(),
  outcome: z.enum(TRANSFORM_OUTCOMES),
  /** the stored body as text, pretty-printed when it is JSON */
  before: z.string(),
  /** the transformed body, pretty-printed; null when the transform failed */
  after: z.string().nullable(),
  /** unified diff of before and after (lib/diff/republish-diff.ts); null when the transform failed */
  diff: z.string().nullable(),
  /** the transformed body against its contract; null when the transform failed */
  validation: z.object({ status: z.string(), violations: z.array(z.object({ path: z.string(), message: z.string() })) }).nullable(),
  /** why the transform failed or the patch test did not hold */
  error: z.string().nullable(),
});
export type TransformSampleItem = z.infer<typeof transformSampleItemSchema>;

/** POST /api/bulk with dryRun and a transform: the transform applied to the whole selection, nothing sent. */
export const bulkTransformDryRunResponseSchema = z.object({
  dryRun: z.literal(true),
  count: z.number(),
  wouldChange: z.number(),
  unchanged: z.number(),
  wouldBreak: z.number(),
  /** of wouldBreak, those the transform left as they were (it did not apply to them) */
  wouldBreakUnchanged: z.number(),
  errors: z.number(),
  testFailed: z.number(),
  /** up to 20, changed and failing ones first */
  sample: z.array(transformSampleItemSchema),
});
export type BulkTransformDryRunResponse = z.infer<typeof bulkTransformDryRunResponseSchema>;
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
  /** set when the job was created to start later */
  startAt: z.string().nullable(),
  transform: bulkTransformSchema.nullable(),
  /** why items were skipped or failed, most frequent first (up to 5) */
  skipReasons: z.array(z.object({ reason: z.string(), count: z.number() })),
  /** the live process holding the job's lease now (null: none holds it, or it is not live) */
  runner: z.object({ host: z.string(), pid: z.number() }).nullable(),
});
export type BulkJob = z.infer<typeof bulkJobSchema>;

// Query and response shapes of GET /api/groups (README, Triage), shared by the route and the hook.
import { z } from 'zod';
import { GROUP_STATUSES } from '@/lib/groups/effective-status';
import { blankToUndefined, isoInstantDate, safeText, safeTrimmed, uuidText } from './safe-input';

export { GROUP_STATUSES, type GroupStatus } from '@/lib/groups/effective-status';
export const groupStatusSchema = z.enum(GROUP_STATUSES, { message: 'expected open, acknowledged, snoozed or resolved' });

export const GROUP_SORTS = ['lastSeen', 'count', 'pending'] as const;

export const groupListQuerySchema = z.object({
  /** one group by its id (the list's group chip names the group it filters by) */
  id: z.preprocess(blankToUndefined, safeTrimmed(64).optional()),
  eventType: z.preprocess(blankToUndefined, safeTrimmed(200).optional()),
  queue: z.preprocess(blankToUndefined, safeTrimmed(255).optional()),
  reason: z.preprocess(blankToUndefined, safeTrimmed(50).optional()),
  /** the effective status (a snooze that has ended reads open); absent or blank: all */
  status: z.preprocess(blankToUndefined, groupStatusSchema.optional()),
  /** `me` (the calling user) or a user id */
  assignee: z.preprocess(blankToUndefined, z.union([z.literal('me'), uuidText], { message: 'expected me or a user id' }).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(GROUP_SORTS).default('lastSeen')),
  limit: z.preprocess(
    blankToUndefined,
    z.coerce.number({ message: 'expected a number from 1 to 1000' }).int('expected a whole number').min(1).max(1000).default(200),
  ),
});
export type GroupListQuery = z.infer<typeof groupListQuerySchema>;

export const SPARKLINE_HOURS = 24;

export const failureGroupSchema = z.object({
  id: z.string(),
  eventType: z.string(),
  queue: z.string(),
  reason: z.string(),
  signature: z.string(),
  count: z.number(),
  pendingCount: z.number(),
  /** its records that died again after a republish (failedAgainAfterRetry) */
  failedAgainCount: z.number(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  /** deaths per hour over the last 24 hours, oldest first (24 numbers) */
  hourly: z.array(z.number()),
  /** the effective status: a snoozed group whose snooze has ended is open */
  status: groupStatusSchema,
  assignee: z.object({ id: z.string(), email: z.string() }).nullable(),
  /** while snoozed: until when (ISO) */
  snoozedUntil: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** times a new dead letter reopened it after it was resolved */
  reopenedCount: z.number(),
});
export type FailureGroup = z.infer<typeof failureGroupSchema>;

export const groupListSchema = z.object({
  items: z.array(failureGroupSchema),
  /** start of the first sparkline hour (UTC, ISO) */
  hourlyFrom: z.string(),
  /** groups per effective status (and all), with every filter but status: the tabs' counts */
  counts: z.object({ open: z.number(), acknowledged: z.number(), snoozed: z.number(), resolved: z.number(), all: z.number() }),
});
export type GroupList = z.infer<typeof groupListSchema>;

// ---- one group (GET /api/groups/:id), its changes (PATCH) and notes (POST .../notes) ----

export const GROUP_NOTE_MAX = 10_000;
/** furthest a snooze may reach */
export const SNOOZE_MAX_DAYS = 90;
const REASON_MAX = 1000;

export const groupNoteSchema = z.object({ id: z.string(), at: z.string(), author: z.string(), text: z.string() });
export type GroupNote = z.infer<typeof groupNoteSchema>;

export const groupHistoryEntrySchema = z.object({
  at: z.string(),
  /** acknowledged | assigned | unassigned | snoozed | resolved | reopened | snooze-ended | note-added … */
  action: z.string(),
  /** a user's email, a token's name, or 'drain' */
  actor: z.string(),
  reason: z.string().nullable(),
  details: z.unknown(),
});
export type GroupHistoryEntry = z.infer<typeof groupHistoryEntrySchema>;

export const WEEK_BUCKET_HOURS = 6;

export const groupDetailSchema = failureGroupSchema.extend({
  /** deaths per 6 hours over the last 7 days, oldest first (28 numbers) */
  weekly: z.array(z.number()),
  weeklyFrom: z.string(),
  hourlyFrom: z.string(),
  statusChangedAt: z.string().nullable(),
  notes: z.array(groupNoteSchema),
  /** newest first */
  history: z.array(groupHistoryEntrySchema),
});
export type GroupDetail = z.infer<typeof groupDetailSchema>;

export const changeGroupSchema = z
  .strictObject({
    status: groupStatusSchema.optional(),
    /** a user id, `me` (the calling user), or null to unassign */
    assigneeId: z.union([z.literal('me'), uuidText, z.null()], { message: 'expected me, a user id or null' }).optional(),
    /** with status snoozed: when the snooze ends (in the future, at most 90 days ahead) */
    snoozedUntil: isoInstantDate,
    reason: z.preprocess(blankToUndefined, safeTrimmed(REASON_MAX).optional()),
  })
  .superRefine((v, ctx) => {
    if (v.status === undefined && v.assigneeId === undefined)
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'nothing to change: give status or assigneeId' });
    if (v.status === 'snoozed' && !v.snoozedUntil) ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'a snooze needs snoozedUntil' });
    if (v.snoozedUntil && v.status !== 'snoozed') ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'snoozedUntil goes with status snoozed' });
    // (refinements run on a body whose fields already failed: snoozedUntil may be the raw string)
    const until: unknown = v.snoozedUntil;
    if (until instanceof Date && until.getTime() <= Date.now()) ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'must be in the future' });
    if (until instanceof Date && until.getTime() > Date.now() + SNOOZE_MAX_DAYS * 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: `must be at most ${SNOOZE_MAX_DAYS} days ahead` });
  });
export type ChangeGroupInput = z.infer<typeof changeGroupSchema>;
/** What a client sends (snoozedUntil as an ISO string). */
export type ChangeGroupRequest = z.input<typeof changeGroupSchema>;

export const addGroupNoteSchema = z.strictObject({
  text: safeText(GROUP_NOTE_MAX).pipe(z.string().trim().min(1, 'expected some text')),
});
export type AddGroupNoteInput = z.infer<typeof addGroupNoteSchema>;

export const groupNoteCreatedSchema = groupNoteSchema;

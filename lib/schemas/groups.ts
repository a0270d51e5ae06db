// Query and response shapes of GET /api/groups (README, Triage), shared by the route and the hook.
import { z } from 'zod';
import { blankToUndefined, safeTrimmed } from './safe-input';

export const GROUP_SORTS = ['lastSeen', 'count', 'pending'] as const;

export const groupListQuerySchema = z.object({
  /** one group by its id (the list's group chip names the group it filters by) */
  id: z.preprocess(blankToUndefined, safeTrimmed(64).optional()),
  eventType: z.preprocess(blankToUndefined, safeTrimmed(200).optional()),
  queue: z.preprocess(blankToUndefined, safeTrimmed(255).optional()),
  reason: z.preprocess(blankToUndefined, safeTrimmed(50).optional()),
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
});
export type FailureGroup = z.infer<typeof failureGroupSchema>;

export const groupListSchema = z.object({
  items: z.array(failureGroupSchema),
  /** start of the first sparkline hour (UTC, ISO) */
  hourlyFrom: z.string(),
});
export type GroupList = z.infer<typeof groupListSchema>;

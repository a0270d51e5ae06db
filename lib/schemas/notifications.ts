// Shapes of /api/notifications (issue 16), shared by the routes, the actions and the client hooks.
import { z } from 'zod';
import { safeTrimmed } from './safe-input';

/** any UUID PostgreSQL accepts */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const NOTIFICATION_EVENTS = ['group.new', 'group.reopened', 'dlq.rate', 'drain.stopped', 'queue.no_consumers', 'test'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
export const notificationEventSchema = z.enum(NOTIFICATION_EVENTS, { message: `expected one of ${NOTIFICATION_EVENTS.join(', ')}` });

export const CHANNEL_KINDS = ['webhook', 'slack'] as const;
export const channelKindSchema = z.enum(CHANNEL_KINDS, { message: 'expected webhook or slack' });

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

/** http(s) only, no user:password (it would sit in the database and the audit), 2000 characters at most */
export const channelUrlSchema = safeTrimmed(2000, 1, 'expected a URL').pipe(
  z.string().refine(
    (v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && Boolean(u.hostname);
      } catch {
        return false;
      }
    },
    { message: 'expected an http:// or https:// URL without credentials' },
  ),
);

const rateSchema = z.strictObject({
  count: z.number().int().min(1).max(1_000_000),
  minutes: z.number().int().min(1).max(1440),
});

const eventTypesSchema = z.array(safeTrimmed(200, 1)).max(100);

export const createChannelSchema = z.strictObject({
  kind: channelKindSchema,
  name: safeTrimmed(100, 1, 'expected a name'),
  url: channelUrlSchema,
  events: z.array(notificationEventSchema).min(1, 'choose at least one event').max(NOTIFICATION_EVENTS.length),
  /** only these event types (group and dlq.rate events); absent or empty: every type */
  eventTypes: eventTypesSchema.optional(),
  rate: rateSchema.optional(),
  /** drain.stopped: after this many seconds in error or stopped */
  drainStoppedSeconds: z.number().int().min(10).max(86_400).optional(),
  /** queue.no_consumers: after this many seconds with a backlog and no consumer */
  noConsumersSeconds: z.number().int().min(10).max(86_400).optional(),
});
export type CreateChannelInput = z.infer<typeof createChannelSchema>;

export const updateChannelSchema = z.strictObject({
  name: safeTrimmed(100, 1, 'expected a name').optional(),
  url: channelUrlSchema.optional(),
  events: z.array(notificationEventSchema).min(1, 'choose at least one event').max(NOTIFICATION_EVENTS.length).optional(),
  eventTypes: eventTypesSchema.optional(),
  rate: rateSchema.optional(),
  drainStoppedSeconds: z.number().int().min(10).max(86_400).optional(),
  noConsumersSeconds: z.number().int().min(10).max(86_400).optional(),
  enabled: z.boolean().optional(),
});
export type UpdateChannelInput = z.infer<typeof updateChannelSchema>;

export const channelSchema = z.object({
  id: z.string(),
  kind: channelKindSchema,
  name: z.string(),
  url: z.string(),
  events: z.array(notificationEventSchema),
  eventTypes: z.array(z.string()),
  rate: z.object({ count: z.number(), minutes: z.number() }),
  drainStoppedSeconds: z.number(),
  noConsumersSeconds: z.number(),
  enabled: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type NotificationChannel = z.infer<typeof channelSchema>;

export const channelListSchema = z.object({ items: z.array(channelSchema) });
export type ChannelList = z.infer<typeof channelListSchema>;

/** The secret is in this response only. */
export const createdChannelSchema = z.object({ item: channelSchema, secret: z.string() });
export type CreatedChannel = z.infer<typeof createdChannelSchema>;

export const deliverySchema = z.object({
  id: z.string(),
  channelId: z.string(),
  type: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  nextAttemptAt: z.string(),
});
export type NotificationDelivery = z.infer<typeof deliverySchema>;

export const deliveryListSchema = z.object({ items: z.array(deliverySchema) });
export type DeliveryList = z.infer<typeof deliveryListSchema>;

export const deliveriesQuerySchema = z.object({
  channelId: z.string().regex(UUID, 'expected a channel id'),
  limit: z.coerce.number().int().min(1).max(50).default(50),
});

export const testQueuedSchema = z.object({ queued: z.literal(true), outboxId: z.string() });
export type TestQueued = z.infer<typeof testQueuedSchema>;

/** the body of every notification (the webhook's JSON; Slack's text is built from it) */
export interface NotificationBody {
  type: NotificationEvent;
  deliveryId: string;
  at: string;
  summary: string;
  console: string;
  group?: {
    id: string;
    eventType: string;
    queue: string;
    reason: string;
    signature: string;
    count: number;
    pendingCount: number;
    status?: string;
    url: string;
  };
  rate?: { count: number; minutes: number; eventType?: string };
  queue?: { name: string; messages: number; consumers: number };
  drain?: { state: string; since: string };
}

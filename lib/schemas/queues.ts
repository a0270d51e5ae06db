// Response shape of GET /api/queues (README, Monitoring: {items: [{name, messages, consumers}]}, plus
// what the queues panel and topology view need), shared by the route and the hook.
import { z } from 'zod';

export const queueItemSchema = z.object({
  name: z.string(),
  messages: z.number(),
  consumers: z.number(),
  /** false: the broker does not know this queue (passive check answered 404) */
  exists: z.boolean(),
  /** messages waiting and no consumer: flagged red */
  noConsumers: z.boolean(),
  /** dlq: the dead-letter queue; consumer: a platform consumer queue; seen: known from x-death only */
  kind: z.enum(['dlq', 'consumer', 'seen']),
  /** event types routed to it (topology) or seen dying in it */
  bindings: z.array(z.string()),
  /** a retry queue: the service queue its messages return to after their delay (never flagged) */
  retryOf: z.string().nullable(),
});
export type QueueItem = z.infer<typeof queueItemSchema>;

export const queuesSchema = z.object({
  items: z.array(queueItemSchema),
  exchange: z.string(),
  /** the first (default) DLQ of DLQ_QUEUE */
  dlq: z.string(),
  /** every DLQ this install drains (DLQ_QUEUE), in the configured order; each is an item of kind dlq */
  dlqs: z.array(z.string()),
  checkedAt: z.string(),
});
export type Queues = z.infer<typeof queuesSchema>;

// Response shape of GET /api/health (README, HTTP API): the type lib/runtime/read-health.ts builds
// and the OpenAPI document describes.
import { z } from 'zod';
import { publicProcessItemSchema } from './processes';

/** one DLQ's drainer (DLQ_QUEUE may list several) */
export const dlqHealthSchema = z.object({
  queue: z.string(),
  state: z.enum(['running', 'paused', 'stopped', 'error']),
  dlqDepth: z.number().nullable(),
  drainedTotal: z.number(),
  parkedTotal: z.number(),
  lastDrainedAt: z.string().nullable(),
  dlqMissing: z.boolean(),
  error: z.string().nullable(),
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ ok: z.boolean() }),
  broker: z.object({ ok: z.boolean() }),
  drain: z.object({
    state: z.enum(['running', 'paused', 'stopped', 'error']),
    dlqDepth: z.number().nullable(),
    drainedTotal: z.number(),
    /** messages the drain moved aside (parking queue + "unreadable" record) since the process started */
    parkedTotal: z.number(),
    lastDrainedAt: z.string().nullable(),
    dlqMissing: z.boolean().optional(),
    error: z.string().nullable().optional(),
    /** each DLQ of this process's drain (the fields above sum them); absent when it runs none */
    dlqs: z.array(dlqHealthSchema).optional(),
  }),
  /**
   * store first, derive after: dead letters stored by the drain and not yet in the list (records,
   * groups, counts), and how long the oldest has waited (null: unknown)
   */
  derivation: z.object({ messages: z.number(), seconds: z.number(), derivedTotal: z.number(), derivedAt: z.string().nullable() }).nullable().optional(),
  /** full-text indexing behind the drain: a dead letter is searchable once indexed (null: unknown) */
  search: z.object({ backlog: z.number(), oldestQueuedAt: z.string().nullable() }).nullable().optional(),
  /** the live EventDesk processes without host and pid (GET /api/processes has them); null: the database did not answer */
  processes: z.array(publicProcessItemSchema).nullable().optional(),
});
export type Health = z.infer<typeof healthSchema>;

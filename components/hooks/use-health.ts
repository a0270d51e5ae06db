'use client';
// GET /api/health: database, broker and drain state for the status strip. The schema is
// lenient (the drain may add fields); 503 still carries the body, so it is read either way.
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { queryKeys } from './query-keys';

export const healthSchema = z.looseObject({
  status: z.string(),
  database: z.looseObject({ ok: z.boolean() }),
  broker: z.looseObject({ ok: z.boolean() }).optional(),
  drain: z
    .looseObject({
      state: z.string(),
      dlqDepth: z.number().nullable().optional(),
      drainedTotal: z.number().nullable().optional(),
      lastDrainedAt: z.string().nullable().optional(),
      dlqMissing: z.boolean().optional(),
      lastError: z.string().nullable().optional(),
      dlqConsumers: z.number().nullable().optional(),
    })
    .optional(),
  search: z.looseObject({ backlog: z.number(), oldestQueuedAt: z.string().nullable() }).nullable().optional(),
  derivation: z.looseObject({ messages: z.number(), seconds: z.number() }).nullable().optional(),
});
export type Health = z.infer<typeof healthSchema>;

export function useHealth() {
  return useQuery({
    queryKey: queryKeys.health(),
    queryFn: async ({ signal }) => {
      const res = await fetch('/api/health', { signal, cache: 'no-store' });
      const body = await res.json().catch(() => null);
      const parsed = healthSchema.safeParse(body);
      if (!parsed.success) throw new Error(`health check answered HTTP ${res.status}`);
      return parsed.data;
    },
    refetchInterval: 5_000,
  });
}

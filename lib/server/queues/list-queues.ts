// GET /api/queues: depth and consumers of every platform consumer queue EventDesk knows (the
// spec's topology, plus queues dead letters have died in) and of each DLQ, from the broker.
import 'server-only';
import { UNKNOWN_TYPE } from '@/lib/groups/signature';
import { ApiError } from '@/lib/api/errors';
import type { QueueHealth } from '@/lib/bus/queue-health';
import { env } from '@/lib/env';
import type { QueueItem, Queues } from '@/lib/schemas/queues';
import { prisma } from '@/lib/server/db';
import { monitorConnection, queueHealthCache } from './monitor-connection';
import { platformQueues } from './platform-queues';

interface KnownQueue {
  name: string;
  kind: QueueItem['kind'];
  bindings: string[];
  retryOf: string | null;
}

/** Queues to check: the DLQs first (as configured), then the topology's consumer queues, then ones seen in x-death. */
export async function knownQueues(dlqs: string[]): Promise<KnownQueue[]> {
  const out = new Map<string, KnownQueue>();
  for (const dlq of dlqs) out.set(dlq, { name: dlq, kind: 'dlq', bindings: [], retryOf: null });
  for (const [name, q] of platformQueues()) if (!out.has(name)) out.set(name, { name, kind: 'consumer', ...q });
  // failure_groups holds one row per (type, queue, reason, signature): small, unlike dead_letters.
  // A message without a readable type is grouped as '(unknown)': no queue is bound to that.
  const seen = await prisma.$queryRaw<{ queue: string; types: string[] }[]>`
    SELECT "queue", COALESCE(array_agg(DISTINCT "event_type" ORDER BY "event_type") FILTER (WHERE "event_type" <> ${UNKNOWN_TYPE}), '{}') AS types
    FROM "failure_groups" WHERE "queue" <> '' GROUP BY "queue" ORDER BY "queue" LIMIT 500`;
  for (const s of seen) {
    const known = out.get(s.queue);
    if (known) known.bindings = [...new Set([...known.bindings, ...s.types])];
    else out.set(s.queue, { name: s.queue, kind: 'seen', bindings: s.types, retryOf: null });
  }
  return [...out.values()];
}

export async function listQueues(): Promise<Queues> {
  const settings = env();
  const known = await knownQueues(settings.DLQ_QUEUE);
  let health: QueueHealth[];
  try {
    const connection = await monitorConnection();
    health = await queueHealthCache().get(
      connection,
      known.map((k) => k.name),
    );
  } catch (err) {
    throw new ApiError('unavailable', 'The broker is unavailable; queue health cannot be checked', { reason: (err as Error).message });
  }
  const byName = new Map(health.map((h) => [h.name, h]));
  return {
    items: known.map((k) => {
      const h = byName.get(k.name)!;
      return {
        name: k.name,
        messages: h.messages,
        consumers: h.consumers,
        exists: h.exists,
        // A retry queue has no consumer by design: its messages wait out a TTL and flow back.
        noConsumers: h.noConsumers && k.retryOf === null,
        kind: k.kind,
        bindings: k.bindings,
        retryOf: k.retryOf,
      };
    }),
    exchange: settings.EVENTS_EXCHANGE,
    dlq: settings.DLQ_QUEUE[0],
    dlqs: settings.DLQ_QUEUE,
    checkedAt: new Date().toISOString(),
  };
}

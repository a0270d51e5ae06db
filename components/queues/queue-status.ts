// One word per queue state, shared by the table, the panel and the topology view.
import type { QueueItem } from '@/lib/schemas/queues';

export type QueueStatus = 'no-consumers' | 'missing' | 'ok' | 'idle' | 'retry';

export function queueStatus(q: QueueItem): QueueStatus {
  if (!q.exists) return 'missing';
  if (q.noConsumers) return 'no-consumers';
  // Retry queues have no consumer by design: messages wait out their TTL and flow back.
  if (q.retryOf) return 'retry';
  // A consumer queue without consumers but empty is idle (nothing is piling up yet).
  if (q.consumers === 0) return 'idle';
  return 'ok';
}

export const STATUS_TEXT: Record<QueueStatus, string> = {
  'no-consumers': 'no consumers',
  missing: 'not declared',
  ok: 'consuming',
  idle: 'idle, no consumers',
  retry: 'delayed retries',
};

/** For the compact panel: what is worth a line (missing queues and empty retry queues are not). */
export function worthShowing(q: QueueItem): boolean {
  if (!q.exists) return false;
  if (q.retryOf) return q.messages > 0;
  return true;
}

const ORDER: Record<QueueStatus, number> = { 'no-consumers': 0, ok: 1, idle: 2, retry: 3, missing: 4 };

/**
 * The /queues table's order: the DLQs (as the API gives them: in the configured order), then queues with a backlog and no consumer, consuming, idle,
 * retry and missing ones, each by name with numbers read as numbers (a consumer's retry queues
 * .1s, .4s, .16s in the order messages go through them, not .16s first).
 */
export function compareQueues(a: QueueItem, b: QueueItem): number {
  if (a.kind === 'dlq' || b.kind === 'dlq') return a.kind === b.kind ? 0 : a.kind === 'dlq' ? -1 : 1;
  return ORDER[queueStatus(a)] - ORDER[queueStatus(b)] || byName(a, b);
}

const byName = (a: QueueItem, b: QueueItem) => a.name.localeCompare(b.name, 'en', { numeric: true });

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

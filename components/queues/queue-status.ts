// One word per queue state, shared by the table, the panel and the topology view.
import type { QueueItem } from '@/lib/schemas/queues';

export type QueueStatus = 'no-consumers' | 'missing' | 'ok' | 'idle';

export function queueStatus(q: QueueItem): QueueStatus {
  if (!q.exists) return 'missing';
  if (q.noConsumers) return 'no-consumers';
  // The DLQ is drained by EventDesk itself; a consumer queue without consumers but empty is idle.
  if (q.consumers === 0) return 'idle';
  return 'ok';
}

export const STATUS_TEXT: Record<QueueStatus, string> = {
  'no-consumers': 'no consumers',
  missing: 'not declared',
  ok: 'consuming',
  idle: 'idle, no consumers',
};

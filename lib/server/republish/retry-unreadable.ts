// POST /api/dead-letters/:id/retry
import 'server-only';
import { retryUnreadable, type RetryUnreadableResult } from '@/lib/bus/retry-unreadable';
import type { Actor } from '@/lib/server/auth/authorize';
import { getRepublishRuntime } from './runtime';

export function retryUnreadableDeadLetter(id: string, actor: Actor, reason: string | null): Promise<RetryUnreadableResult> {
  return retryUnreadable(getRepublishRuntime().pool, id, actor.name, reason);
}

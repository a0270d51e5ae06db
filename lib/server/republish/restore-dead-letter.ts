// POST /api/dead-letters/:id/restore
import 'server-only';
import { restoreOne, type StatusChange } from '@/lib/bus/republish-status';
import type { Actor } from '@/lib/server/auth/authorize';
import { getRepublishRuntime } from './runtime';

export function restoreDeadLetter(id: string, actor: Actor, reason: string | null): Promise<StatusChange> {
  return restoreOne(getRepublishRuntime().pool, id, actor.name, reason);
}

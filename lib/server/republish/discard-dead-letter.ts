// POST /api/dead-letters/:id/discard
import 'server-only';
import { discardOne, type StatusChange } from '@/lib/bus/republish-status';
import type { Actor } from '@/lib/server/auth/authorize';
import { getRepublishRuntime } from './runtime';

export function discardDeadLetter(id: string, actor: Actor, reason: string): Promise<StatusChange> {
  return discardOne(getRepublishRuntime().pool, id, actor.name, reason);
}

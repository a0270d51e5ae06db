// POST /api/dead-letters/:id/republish: see lib/bus/republish-engine.ts for the outbox steps.
import 'server-only';
import { republishOne, type RepublishResult } from '@/lib/bus/republish-engine';
import type { Actor } from '@/lib/server/auth/authorize';
import type { RepublishRequest } from '@/lib/schemas/republish';
import { getRepublishRuntime } from './runtime';

export async function republishDeadLetter(id: string, actor: Actor, request: RepublishRequest): Promise<RepublishResult> {
  return republishOne(getRepublishRuntime(), {
    deadLetterId: id,
    actor: { name: actor.name, role: actor.role },
    reason: request.reason ?? 'retry',
    body: request.body,
    target: request.target,
    force: request.force,
  });
}

// The create-api-token action (admin): a token with a role; the token itself is in this answer
// only (only its hash is stored). Audited with its name, role and display prefix. Its name is
// unique among live tokens and none of EventDesk's own actors (system, drain, cli).
import 'server-only';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { CreatedToken, CreateTokenInput } from '@/lib/schemas/tokens';
import { generateApiToken, hashApiToken, tokenDisplayPrefix } from '@/lib/server/auth/api-token-core';
import { toApiToken } from '@/lib/server/auth/tokens';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';
import { conflict } from '@/lib/action-error';

export async function createApiToken(actor: Actor, input: CreateTokenInput): Promise<CreatedToken> {
  const token = generateApiToken();
  const row = await prisma.$transaction(async (tx) => {
    // one name, one live token: the name is the audit actor, two would make its lines ambiguous
    // (creations of one name queue on this lock, so two at once cannot both pass the check)
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('eventdesk:api-token-name'))`;
    const taken = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM api_tokens WHERE lower(name) = lower(${input.name}) AND revoked_at IS NULL LIMIT 1`;
    if (taken.length)
      throw conflict('A live token already has this name (it is the audit actor): revoke it or choose another name', [
        { field: 'name', message: 'in use by a live token' },
      ]);
    const created = await tx.apiToken.create({
      data: { name: input.name, role: input.role, tokenHash: hashApiToken(token), prefix: tokenDisplayPrefix(token), createdBy: actor.name },
    });
    await recordAudit(prismaAuditClient(tx), {
      actor: actor.name,
      action: 'token-create',
      target: `api-token:${created.id}`,
      details: { name: created.name, role: created.role, prefix: created.prefix },
    });
    return created;
  });
  return { token, item: toApiToken(row) };
}

// The create-api-token action (admin): a token with a role; the token itself is in this answer
// only (only its hash is stored). Audited with its name, role and display prefix.
import 'server-only';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { CreatedToken, CreateTokenInput } from '@/lib/schemas/tokens';
import { generateApiToken, hashApiToken, tokenDisplayPrefix } from '@/lib/server/auth/api-token-core';
import { toApiToken } from '@/lib/server/auth/tokens';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';

export async function createApiToken(actor: Actor, input: CreateTokenInput): Promise<CreatedToken> {
  const token = generateApiToken();
  const row = await prisma.$transaction(async (tx) => {
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

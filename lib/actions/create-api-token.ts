// The create-api-token action (admin): a token with a role; the token itself is in this answer
// only (only its hash is stored). Audited with its name, role and display prefix. Its name is
// never reused (a revoked token's too) and none of EventDesk's own actors (system, drain, cli).
import 'server-only';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { CreatedToken, CreateTokenInput } from '@/lib/schemas/tokens';
import { ensureTokenNameFree, generateApiToken, hashApiToken, TokenNameTaken, tokenDisplayPrefix } from '@/lib/server/auth/api-token-core';
import { toApiToken } from '@/lib/server/auth/tokens';
import { prisma, prismaQueryable } from '@/lib/server/db';
import type { Actor } from './actor';
import { LOCK_WAITING_TRANSACTION } from './busy-on-lock-timeout';
import { conflict } from '@/lib/action-error';

export async function createApiToken(actor: Actor, input: CreateTokenInput): Promise<CreatedToken> {
  const token = generateApiToken();
  const row = await prisma.$transaction(
    async (tx) => {
      // one name, one token for good: the name is the audit actor, two would make its lines ambiguous
      try {
        await ensureTokenNameFree(prismaQueryable(tx), input.name);
      } catch (err) {
        if (err instanceof TokenNameTaken) throw conflict(err.message, [{ field: 'name', message: 'taken by another token, live or revoked' }]);
        throw err;
      }
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
    },
    // the name's lock may be waited for
    LOCK_WAITING_TRANSACTION,
  );
  return { token, item: toApiToken(row) };
}

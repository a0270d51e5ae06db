// The revoke-api-token action (admin): the token stops working (kept in the list, marked
// revoked). Revoking a revoked token changes nothing and writes no audit line.
import 'server-only';
import { notFound } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { ApiToken } from '@/lib/schemas/tokens';
import { forgetToken, toApiToken } from '@/lib/server/auth/tokens';
import { USER_ID } from '@/lib/server/auth/users';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';

export async function revokeApiToken(actor: Actor, input: { id: string }): Promise<ApiToken> {
  const { id } = input;
  const existing = USER_ID.test(id) ? await prisma.apiToken.findUnique({ where: { id } }) : null;
  if (!existing) throw notFound('Token');
  const row = existing.revokedAt
    ? existing
    : await prisma.$transaction(async (tx) => {
        // only a token not revoked yet: of revokes at the same moment one changes it and writes
        // the audit line, the others find it revoked (20 at once wrote 5 lines, found by a probe)
        const { count } = await tx.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
        const revoked = await tx.apiToken.findUniqueOrThrow({ where: { id } });
        if (count === 0) return revoked;
        await recordAudit(prismaAuditClient(tx), {
          actor: actor.name,
          action: 'token-revoke',
          target: `api-token:${id}`,
          details: { name: revoked.name, role: revoked.role, prefix: revoked.prefix },
        });
        return revoked;
      });
  forgetToken(row.tokenHash);
  return toApiToken(row);
}

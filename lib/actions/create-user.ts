// The create-user action (admin): a console user with a role, and a generated password returned
// once when none was given. Audited without the password.
import 'server-only';
import { conflict } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { CreateUserInput, UserWriteResult } from '@/lib/schemas/users';
import { generatePassword, hashPassword } from '@/lib/server/auth/passwords';
import { toUser } from '@/lib/server/auth/users';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';

export async function createUser(actor: Actor, input: CreateUserInput): Promise<UserWriteResult> {
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  try {
    const row = await prisma.$transaction(async (tx) => {
      const created = await tx.user.create({ data: { email: input.email, name: input.name || null, role: input.role, passwordHash, createdBy: actor.name } });
      await recordAudit(prismaAuditClient(tx), {
        actor: actor.name,
        action: 'user-create',
        target: `user:${created.id}`,
        details: { email: created.email, role: created.role, passwordGenerated: !input.password },
      });
      return created;
    });
    return { user: toUser(row), ...(input.password ? {} : { password }) };
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw conflict(`A user with the email ${input.email} exists`);
    throw err;
  }
}

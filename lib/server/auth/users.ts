// Console users: list, create/invite, change role, disable (ends sessions), reset password.
import 'server-only';
import { ApiError, notFound } from '@/lib/api/errors';
import { prisma } from '@/lib/server/db';
import type { CreateUserInput, Role, UpdateUserInput, User, UserWriteResult } from '@/lib/schemas/users';
import { generatePassword, hashPassword } from './passwords';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type UserRow = Awaited<ReturnType<typeof prisma.user.findUniqueOrThrow>>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    status: row.status as User['status'],
    hasPassword: row.passwordHash !== null,
    createdAt: row.createdAt.toISOString(),
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
    createdBy: row.createdBy,
  };
}

export async function listUsers(): Promise<User[]> {
  const rows = await prisma.user.findMany({ orderBy: { email: 'asc' } });
  return rows.map(toUser);
}

export async function createUser(input: CreateUserInput, createdBy: string): Promise<UserWriteResult> {
  const password = input.password ?? generatePassword();
  try {
    const row = await prisma.user.create({
      data: { email: input.email, name: input.name || null, role: input.role, passwordHash: await hashPassword(password), createdBy },
    });
    return { user: toUser(row), ...(input.password ? {} : { password }) };
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new ApiError('conflict', `A user with the email ${input.email} exists`);
    throw err;
  }
}

/**
 * Disabling or resetting the password bumps session_version, which ends every session of the
 * user (authorize() compares it with the one in the session). An admin cannot lock themself
 * out, and the last active admin cannot be demoted or disabled.
 */
export async function updateUser(id: string, input: UpdateUserInput, actor: { name: string; kind: string }): Promise<UserWriteResult> {
  if (!UUID.test(id)) throw notFound('User');
  return prisma.$transaction(async (tx) => {
    // Row lock: two admins changing the last admins at once cannot both pass the check.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "users" WHERE "id" = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound('User');
    const current = await tx.user.findUniqueOrThrow({ where: { id } });
    const losesAdmin = current.role === 'admin' && current.status === 'active' && ((input.role && input.role !== 'admin') || input.status === 'disabled');
    if (losesAdmin) {
      if (actor.kind === 'user' && actor.name === current.email) {
        throw new ApiError('conflict', 'You cannot remove your own admin role or disable yourself');
      }
      await tx.$queryRaw`SELECT "id" FROM "users" WHERE "role" = 'admin' AND "status" = 'active' FOR UPDATE`;
      const admins = await tx.user.count({ where: { role: 'admin', status: 'active' } });
      if (admins <= 1) throw new ApiError('conflict', 'This is the last active admin');
    }
    const password = input.resetPassword ? generatePassword() : undefined;
    const endsSessions = (input.status === 'disabled' && current.status !== 'disabled') || Boolean(password);
    const row = await tx.user.update({
      where: { id },
      data: {
        ...(input.role ? { role: input.role } : {}),
        ...(input.status ? { status: input.status } : {}),
        ...(password ? { passwordHash: await hashPassword(password) } : {}),
        ...(endsSessions ? { sessionVersion: { increment: 1 } } : {}),
        updatedAt: new Date(),
      },
    });
    forgetSessionUser(id);
    return { user: toUser(row), ...(password ? { password } : {}) };
  });
}

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  status: string;
  sessionVersion: number;
  passwordHash: string | null;
}

// Every authorised request checks the user's status and session version. A short cache keeps
// that cheap; other processes see a change within SESSION_USER_TTL_MS, this one at once.
const SESSION_USER_TTL_MS = 3_000;
const userCache = globalThis as unknown as { __eventdeskSessionUsers?: Map<string, { at: number; user: SessionUser | null }> };
const sessionUsers = (userCache.__eventdeskSessionUsers ??= new Map());

export async function getSessionUser(id: string): Promise<SessionUser | null> {
  const hit = sessionUsers.get(id);
  if (hit && Date.now() - hit.at < SESSION_USER_TTL_MS) return hit.user;
  const row = UUID.test(id) ? await prisma.user.findUnique({ where: { id } }) : null;
  const user: SessionUser | null = row
    ? {
        id: row.id,
        email: row.email,
        name: row.name,
        role: row.role as Role,
        status: row.status,
        sessionVersion: row.sessionVersion,
        passwordHash: row.passwordHash,
      }
    : null;
  if (sessionUsers.size > 10_000) sessionUsers.clear();
  sessionUsers.set(id, { at: Date.now(), user });
  return user;
}

export function forgetSessionUser(id: string): void {
  sessionUsers.delete(id);
}

export async function findUserByEmail(email: string): Promise<SessionUser | null> {
  const row = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!row) return null;
  forgetSessionUser(row.id); // sign-in reads the row fresh
  return getSessionUser(row.id);
}

export async function recordSignIn(id: string): Promise<void> {
  await prisma.user.update({ where: { id }, data: { lastSignInAt: new Date() } });
}

/**
 * Sign-out: bumps the user's session version when `version` is still the current one, which
 * ends every session carrying it. Returns whether it did.
 */
export async function endSessions(id: string, version: number): Promise<boolean> {
  if (!UUID.test(id) || !Number.isInteger(version)) return false;
  const changed = await prisma.$executeRaw`
    UPDATE "users" SET "session_version" = "session_version" + 1 WHERE "id" = ${id}::uuid AND "session_version" = ${version}`;
  forgetSessionUser(id);
  return changed > 0;
}

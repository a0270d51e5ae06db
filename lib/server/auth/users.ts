// Console users: the list, the users a group can be assigned to, and the session lookups sign-in and authorize() need. Creating and
// changing users are admin actions: lib/actions/create-user.ts and update-user.ts.
import 'server-only';
import { prisma } from '@/lib/server/db';
import { ASSIGNABLE_USERS_LIMIT, type AssignableUser, type Role, type User } from '@/lib/schemas/users';

/** The shape of a users.id / api_tokens.id (uuid): anything else is not found, unqueried. */
export const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/**
 * The users a failure group can be assigned to: active operators and admins, by email, at most
 * ASSIGNABLE_USERS_LIMIT. Id and email only: any viewer may read this list.
 */
export async function listAssignableUsers(): Promise<AssignableUser[]> {
  return prisma.user.findMany({
    where: { status: 'active', role: { in: ['operator', 'admin'] satisfies Role[] } },
    select: { id: true, email: true },
    orderBy: { email: 'asc' },
    take: ASSIGNABLE_USERS_LIMIT,
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
  const row = USER_ID.test(id) ? await prisma.user.findUnique({ where: { id } }) : null;
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
  if (!USER_ID.test(id) || !Number.isInteger(version)) return false;
  const changed = await prisma.$executeRaw`
    UPDATE "users" SET "session_version" = "session_version" + 1 WHERE "id" = ${id}::uuid AND "session_version" = ${version}`;
  forgetSessionUser(id);
  return changed > 0;
}

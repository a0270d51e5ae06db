// Turns the next-auth session cookie into an Actor, checking the user in the database (cached a
// few seconds): a disabled user, or a session older than the user's session_version, is no one.
import 'server-only';
import { decode } from 'next-auth/jwt';
import { env } from '@/lib/env';
import type { Role } from '@/lib/schemas/users';
import { ensureAuthReady } from './bootstrap';
import { getSessionUser } from './users';

export interface UserActor {
  name: string;
  role: Role;
  kind: 'user';
  userId: string;
}

export function sessionCookieName(): string {
  return env().NEXTAUTH_URL!.startsWith('https://') ? '__Secure-next-auth.session-token' : 'next-auth.session-token';
}

/** Reads the session cookie, joining next-auth's chunks (`name.0`, `name.1`, ...) if it split it. */
export function sessionCookieValue(cookies: Iterable<{ name: string; value: string }>): string | undefined {
  const name = sessionCookieName();
  const parts: [number, string][] = [];
  for (const c of cookies) {
    if (c.name === name) return c.value;
    if (c.name.startsWith(`${name}.`)) parts.push([Number(c.name.slice(name.length + 1)), c.value]);
  }
  return parts.length
    ? parts
        .sort((a, b) => a[0] - b[0])
        .map((p) => p[1])
        .join('')
    : undefined;
}

export function parseCookieHeader(header: string | null): { name: string; value: string }[] {
  if (!header) return [];
  return header.split(';').flatMap((pair) => {
    const i = pair.indexOf('=');
    if (i < 0) return [];
    const value = pair.slice(i + 1).trim();
    try {
      return [{ name: pair.slice(0, i).trim(), value: decodeURIComponent(value) }];
    } catch {
      return [{ name: pair.slice(0, i).trim(), value }];
    }
  });
}

export async function actorFromSessionToken(sessionToken: string | undefined): Promise<UserActor | null> {
  if (!sessionToken) return null;
  const secret = await ensureAuthReady();
  const claims = await decode({ token: sessionToken, secret }).catch(() => null);
  if (!claims?.sub || typeof claims.sv !== 'number') return null;
  const user = await getSessionUser(claims.sub);
  if (!user || user.status !== 'active' || user.sessionVersion !== claims.sv) return null;
  return { name: user.email, role: user.role, kind: 'user', userId: user.id };
}

// Server-side role check for every API route and server action: the next-auth session cookie
// or `Authorization: Bearer <token>`; 401 without either (or with a revoked/unknown one), 403
// with a role too low or a cookie-authenticated write from another site. viewer < operator < admin.
import 'server-only';
import { ApiError } from '@/lib/api/errors';
import { roleAtLeast, type Role } from '@/lib/schemas/users';
import { isSafeMethod, isSameOrigin } from './same-origin';
import { actorFromSessionToken, parseCookieHeader, sessionCookieValue } from './session-actor';
import { findActiveToken } from './tokens';

export type { Role } from '@/lib/schemas/users';

export interface Actor {
  /** user email or token name; written into the audit log */
  name: string;
  role: Role;
  kind: 'user' | 'token' | 'system';
  /** the user's id (kind 'user'): "assigned to me" */
  userId?: string;
}

export function hasRole(actor: Pick<Actor, 'role'>, needed: Role): boolean {
  return roleAtLeast(actor.role, needed);
}

/** The Bearer token of a request, or null when it sends none. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : null;
}

/** Who is calling, without a role check: null when the request carries no valid credential. */
export async function identify(request: Request): Promise<Actor | null> {
  const token = bearerToken(request);
  if (token !== null) {
    const found = await findActiveToken(token);
    return found ? { name: found.name, role: found.role, kind: 'token' } : null;
  }
  const actor = await actorFromSessionToken(sessionCookieValue(parseCookieHeader(request.headers.get('cookie'))));
  return actor ? { name: actor.name, role: actor.role, kind: 'user', userId: actor.userId } : null;
}

export async function authorize(request: Request, needed: Role): Promise<Actor> {
  const actor = await identify(request);
  if (!actor) {
    throw new ApiError(
      'unauthorized',
      bearerToken(request) !== null ? 'The API token is unknown or revoked' : 'Sign in, or send Authorization: Bearer <token>',
    );
  }
  // A Bearer token is never sent by a browser on its own, so only cookie sessions can be forged.
  if (actor.kind === 'user' && !isSafeMethod(request.method) && !isSameOrigin(request)) {
    throw new ApiError('forbidden', 'Cross-site request refused: the Origin is not this console');
  }
  if (!hasRole(actor, needed)) {
    throw new ApiError('forbidden', `This needs the ${needed} role; you are ${actor.role}`, { needed, role: actor.role });
  }
  return actor;
}

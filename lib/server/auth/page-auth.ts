// Auth for server components (pages and layouts): the same checks as authorize(), from the
// request's cookies. Pages still rely on the API to refuse: this only decides what to render.
import 'server-only';
import { cookies } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { env } from '@/lib/env';
import type { Role } from '@/lib/schemas/users';
import { hasRole, type Actor } from './authorize';
import { actorFromSessionToken, sessionCookieValue } from './session-actor';

/** The signed-in user of this request, or null (looked up once per request: root and console layouts both ask). */
export const getCurrentActor = cache(async (): Promise<Actor | null> => {
  const jar = await cookies();
  const actor = await actorFromSessionToken(sessionCookieValue(jar.getAll()));
  return actor ? { name: actor.name, role: actor.role, kind: 'user' } : null;
});

/**
 * For a page that needs a role: redirects to /sign-in when signed out (or disabled), renders
 * the not-found page when the role is too low. Returns the actor otherwise.
 */
export async function requirePageRole(needed: Role, returnTo = '/'): Promise<Actor> {
  const actor = await getCurrentActor();
  if (!actor) redirect(`/sign-in?callbackUrl=${encodeURIComponent(safeRedirectPath(returnTo, env().NEXTAUTH_URL!))}`);
  if (!hasRole(actor, needed)) notFound();
  return actor;
}

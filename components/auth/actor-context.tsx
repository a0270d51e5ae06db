'use client';
// The signed-in user's name and role for client components, read on the server by the root
// layout (no extra request). The UI hides what the role cannot do; the API is what refuses.
import { createContext, useContext, type ReactNode } from 'react';
import { roleAtLeast, type Me, type Role } from '@/lib/schemas/users';

const ActorContext = createContext<Me | null>(null);

export function ActorProvider({ actor, children }: { actor: Me | null; children: ReactNode }) {
  return <ActorContext.Provider value={actor}>{children}</ActorContext.Provider>;
}

/** The signed-in user, or null on the sign-in page. */
export function useActor(): Me | null {
  return useContext(ActorContext);
}

/** True when the signed-in user's role includes `needed` (viewer < operator < admin). */
export function useHasRole(needed: Role): boolean {
  const actor = useActor();
  return actor !== null && roleAtLeast(actor.role, needed);
}

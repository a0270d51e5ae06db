'use client';
// Console header: who is signed in, with which role, and a sign-out button.
import { useState } from 'react';
import { useActor } from './actor-context';
import { signOut } from './auth-client';

export function UserMenu() {
  const actor = useActor();
  const [busy, setBusy] = useState(false);
  if (!actor) return null;
  return (
    <div className="flex items-center gap-3" data-testid="user-menu">
      <span className="max-w-[10rem] truncate xl:max-w-[16rem] text-slate-700" data-testid="user-name" title={actor.name}>
        {actor.name}
      </span>
      <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium uppercase tracking-wide text-slate-600" data-testid="user-role">
        {actor.role}
      </span>
      <button
        type="button"
        className="rounded border border-slate-300 px-2 py-1 text-slate-700 hover:bg-slate-50 disabled:opacity-50"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await signOut();
          } finally {
            setBusy(false);
          }
        }}
      >
        Sign out
      </button>
    </div>
  );
}

'use client';
// Email + password form (and the single sign-on button when OIDC is configured).
import { useState, type FormEvent } from 'react';
import { safeCallbackUrl, signInWithOidc, signInWithPassword } from './auth-client';
import { signInErrorMessage } from './sign-in-messages';
import { formText } from '@/components/ui/form-text';

/** `callbackUrl` was made a same-origin path by the page (lib/auth/safe-redirect.ts). */
export function SignInForm({
  callbackUrl,
  initialError,
  oidc,
}: {
  callbackUrl: string;
  initialError: string | null;
  oidc: { id: string; name: string } | null;
}) {
  const [error, setError] = useState<string | null>(initialError ? signInErrorMessage(initialError) : null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const target = safeCallbackUrl(callbackUrl); // again here: with the browser's own origin
    try {
      const result = await signInWithPassword(formText(form, 'email'), formText(form, 'password'), target);
      if (result.ok) {
        window.location.assign(target); // a full load: server components read the new cookie
        return;
      }
      setError(signInErrorMessage(result.error, result.retryAfterSeconds));
    } catch {
      setError('EventDesk did not answer. Is the server running?');
    }
    setBusy(false);
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} method="post" className="space-y-3" aria-label="Sign in">
        <label className="block text-sm">
          <span className="text-slate-700">Email</span>
          <input name="email" type="email" autoComplete="username" required className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Password</span>
          <input name="password" type="password" autoComplete="current-password" required className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5" />
        </label>
        {error && (
          <p role="alert" className="rounded border border-red-200 bg-red-50 px-2 py-1.5 text-sm text-red-800">
            {error}
          </p>
        )}
        <button
          type="submit"
          disabled={busy}
          className="w-full rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {oidc && (
        <button
          type="button"
          className="w-full rounded border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
          onClick={() => void signInWithOidc(oidc.id, safeCallbackUrl(callbackUrl))}
        >
          Sign in with {oidc.name}
        </button>
      )}
    </div>
  );
}

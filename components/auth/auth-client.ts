// Browser side of next-auth's endpoints, without next-auth/react's SessionProvider (whose
// session fetch can race the CSRF fetch on a cold sign-in): one CSRF fetch, then one POST.
import { safeRedirectPath } from '@/lib/auth/safe-redirect';

export type SignInResult = { ok: true } | { ok: false; error: string; retryAfterSeconds?: number };

async function csrfToken(): Promise<string> {
  const res = await fetch('/api/auth/csrf', { cache: 'no-store' });
  const data = (await res.json()) as { csrfToken: string };
  return data.csrfToken;
}

async function postForm(path: string, fields: Record<string, string>): Promise<{ status: number; url?: string; retryAfter?: number }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, csrfToken: await csrfToken(), json: 'true' }),
    cache: 'no-store',
  });
  const data = (await res.json().catch(() => ({}))) as { url?: string };
  const retryAfter = Number(res.headers.get('retry-after'));
  return { status: res.status, url: data.url, retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined };
}

export async function signInWithPassword(email: string, password: string, callbackUrl: string): Promise<SignInResult> {
  const { status, url, retryAfter } = await postForm('/api/auth/callback/credentials', { email, password, callbackUrl });
  // The sign-in limiter answers 429 (Retry-After) before next-auth sees the password.
  if (status === 429) return { ok: false, error: 'RateLimited', retryAfterSeconds: retryAfter };
  const error = url ? new URL(url, window.location.origin).searchParams.get('error') : 'Unknown';
  return error ? { ok: false, error } : { ok: true };
}

/** Starts the OIDC redirect dance (next-auth answers with the identity provider's URL). */
export async function signInWithOidc(providerId: string, callbackUrl: string): Promise<void> {
  const { url } = await postForm(`/api/auth/signin/${providerId}`, { callbackUrl });
  window.location.assign(url ?? '/sign-in?error=OAuthSignin');
}

export async function signOut(): Promise<void> {
  await postForm('/api/auth/signout', { callbackUrl: '/sign-in' });
  window.location.assign('/sign-in');
}

/** Only same-origin paths: a callbackUrl must never send a user to another site. */
export function safeCallbackUrl(value: string | null | undefined): string {
  return safeRedirectPath(value, window.location.origin);
}

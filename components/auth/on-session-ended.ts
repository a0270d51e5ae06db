// A query or mutation answered 401: the session expired, or an admin disabled the user or
// reset their password. Go to the sign-in page and come back here afterwards.
export function onSessionEnded(error: unknown): void {
  if ((error as { status?: number } | null)?.status !== 401 || typeof window === 'undefined') return;
  if (window.location.pathname.startsWith('/sign-in')) return;
  const back = window.location.pathname + window.location.search;
  window.location.assign(`/sign-in?callbackUrl=${encodeURIComponent(back)}`);
}

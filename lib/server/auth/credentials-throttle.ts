// In front of next-auth's credentials callback (POST /api/auth/callback/credentials): the sign-in
// limiter decides before next-auth sees the password, so a refused try answers 429 with
// Retry-After in the error envelope (next-auth itself could only answer 200 with ?error=).
import 'server-only';
import { ApiError } from '@/lib/api/errors';
import { logger } from '@/lib/log';
import { clientIp } from './client-ip';
import { signInAccount, takeSignInTry } from './sign-in-throttle';

export function isCredentialsCallback(request: Request): boolean {
  return request.method === 'POST' && new URL(request.url).pathname.endsWith('/api/auth/callback/credentials');
}

/** Null when the try may go on to next-auth; the 429 response otherwise. */
export async function throttleCredentialsSignIn(request: Request, body: Uint8Array | null): Promise<Response | null> {
  const form = new URLSearchParams(body ? new TextDecoder().decode(body) : '');
  const account = signInAccount(form.get('email'));
  // authorize() refuses these without checking anything: nothing to count
  if (!account || !form.get('password')) return null;
  const ip = clientIp(request.headers);
  const decision = await takeSignInTry(account, ip);
  if (decision.allowed) return null;
  logger.warn({ account, ip, retryAfterSeconds: decision.retryAfterSeconds }, 'sign-in refused: too many failures, wait');
  const err = new ApiError('rate_limited', `Too many failed sign-in attempts; try again in ${decision.retryAfterSeconds} s`, {
    retryAfterSeconds: decision.retryAfterSeconds,
  });
  return Response.json(err.toBody(), { status: err.status, headers: { 'retry-after': String(decision.retryAfterSeconds) } });
}

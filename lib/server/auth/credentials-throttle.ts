// In front of next-auth's credentials callback (POST /api/auth/callback/credentials): the sign-in
// limiter decides before next-auth sees the password, so a refused try answers 429 with
// Retry-After in the error envelope (next-auth itself could only answer 200 with ?error=).
// The body is read the way next-auth reads it (JSON or form, by Content-Type), and next-auth runs
// inside an async context naming the account that was counted: authorize() checks no password
// without it, so no way of sending credentials can skip the count. (Not a request header:
// next-auth reads the incoming request's headers through next/headers, not the request it is
// handed.)
import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApiError } from '@/lib/api/errors';
import { logger } from '@/lib/log';
import { clientIp } from './client-ip';
import { signInAccount, takeSignInTry } from './sign-in-throttle';

const g = globalThis as unknown as { __eventdeskCountedTries?: AsyncLocalStorage<{ account: string | null }> };
const countedTries = (g.__eventdeskCountedTries ??= new AsyncLocalStorage());

export function isCredentialsCallback(request: Request): boolean {
  return request.method === 'POST' && new URL(request.url).pathname.endsWith('/api/auth/callback/credentials');
}

/** The fields next-auth will hand to authorize(): JSON or form by Content-Type, as it parses them. */
export function credentialFields(contentType: string | null, body: Uint8Array | null): Record<string, unknown> {
  if (!body || !contentType) return {};
  const text = new TextDecoder().decode(body);
  if (contentType.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return {};
}

export type ThrottleOutcome = { refused: Response } | { counted: string | null };

/** Counts the try; the 429 response when it must wait, else the account counted (for runCounted). */
export async function throttleCredentialsSignIn(request: Request, body: Uint8Array | null): Promise<ThrottleOutcome> {
  const fields = credentialFields(request.headers.get('content-type'), body);
  const account = signInAccount(fields.email);
  // authorize() refuses these without checking anything: nothing to count
  if (!account || typeof fields.password !== 'string' || !fields.password) return { counted: null };
  const ip = clientIp(request.headers);
  const decision = await takeSignInTry(account, ip);
  if (decision.allowed) return { counted: account };
  logger.warn({ account, ip, retryAfterSeconds: decision.retryAfterSeconds }, 'sign-in refused: too many failures, wait');
  const err = new ApiError('rate_limited', `Too many failed sign-in attempts; try again in ${decision.retryAfterSeconds} s`, {
    retryAfterSeconds: decision.retryAfterSeconds,
  });
  return { refused: Response.json(err.toBody(), { status: err.status, headers: { 'retry-after': String(decision.retryAfterSeconds) } }) };
}

/** Runs next-auth for a request whose try was counted for `account` (null: none was). */
export function runCounted<T>(account: string | null, fn: () => Promise<T>): Promise<T> {
  return countedTries.run({ account }, fn);
}

/** Whether the limiter counted the try being handled, for `account`. */
export function wasCounted(account: string): boolean {
  return countedTries.getStore()?.account === account;
}

// next-auth's endpoints (sign-in, callbacks, sign-out, csrf, session). Public by nature.
// In front of them, guardAuthRequest: the body read as a stream up to 64 KiB (413 past it) and
// bad fields (NUL, CR/LF in callbackUrl ...) answered 400 in the error envelope, not 500; and the
// sign-in limiter, which answers 429 (Retry-After) before a password is checked.
import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { guardAuthRequest } from '@/lib/api/auth-request-guard';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { env } from '@/lib/env';
import { ApiError } from '@/lib/api/errors';
import { errorResponse } from '@/lib/api/handler';
import { logger } from '@/lib/log';
import { getAuthOptions } from '@/lib/server/auth/auth-options';
import { isCredentialsCallback, runCounted, throttleCredentialsSignIn, type ThrottleOutcome } from '@/lib/server/auth/credentials-throttle';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ nextauth: string[] }> };

// The options are built once the secret is loaded from (or created in) the database.
async function handler(request: NextRequest, context: Context): Promise<Response> {
  let guarded: { body: Uint8Array | null };
  try {
    guarded = await guardAuthRequest(request);
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    throw err;
  }
  let counted: string | null = null;
  if (isCredentialsCallback(request)) {
    let outcome: ThrottleOutcome;
    try {
      outcome = await throttleCredentialsSignIn(request, guarded.body);
    } catch (err) {
      // the limiter cannot decide (database down): refuse rather than let guesses through
      logger.warn({ err }, 'sign-in limiter unavailable');
      return errorResponse(new ApiError('unavailable', 'Sign-in is unavailable for a moment; try again shortly'));
    }
    if ('refused' in outcome) return outcome.refused;
    counted = outcome.counted;
  }
  // a callbackUrl query parameter next-auth cannot parse as a URL (javascript:alert(1)) made it
  // answer error=Configuration, as if the server were misconfigured: it goes on as its safe path
  // ('/' for anything off this console), as a callbackUrl on another origin always did
  const url = safeCallbackUrl(request.url);
  let forwarded = request;
  if (guarded.body !== null || url !== request.url) {
    const headers = new Headers(request.headers);
    headers.delete('content-length');
    headers.delete('transfer-encoding');
    forwarded = new NextRequest(url, { method: request.method, headers, body: (guarded.body ?? undefined) as BodyInit | undefined });
  }
  const options = await getAuthOptions();
  return inEnvelope(await runCounted(counted, () => NextAuth(forwarded, context, options)));
}

/**
 * next-auth answers an action it does not have (GET /api/auth/callback/nope, POST
 * /api/auth/providers) with a plain-text 400 or 404 ("Error: This action with HTTP GET is not
 * supported by NextAuth.js"): put in the API's error envelope, as every other /api answer is.
 */
async function inEnvelope(response: Response): Promise<Response> {
  if ((response.status !== 400 && response.status !== 404) || !response.headers.get('content-type')?.startsWith('text/plain')) return response;
  const text = (await response.text())
    .split('\n')[0]
    .replace(/^Error:\s*/, '')
    .slice(0, 300);
  const code = response.status === 404 ? 'not_found' : 'invalid_request';
  return errorResponse(
    new ApiError(code, text || 'Not an action of the sign-in service', [{ field: 'path', message: 'not an action of the sign-in service' }]),
  );
}

/** The request's URL with its callbackUrl parameter, if any, replaced by its safe path. */
function safeCallbackUrl(requestUrl: string): string {
  const url = new URL(requestUrl);
  const asked = url.searchParams.get('callbackUrl');
  if (asked === null) return requestUrl;
  const safe = safeRedirectPath(asked, env().NEXTAUTH_URL!);
  if (safe === asked) return requestUrl;
  url.searchParams.set('callbackUrl', safe);
  return url.toString();
}

export { handler as GET, handler as POST };

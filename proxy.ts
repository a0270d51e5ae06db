// Next 16's proxy (formerly middleware; Node.js runtime): every page response gets a fresh CSP
// nonce, and page requests without a live session go to /sign-in (a cookie that was signed out,
// or whose user was disabled or reset, is no session: its version no longer matches the user's).
// API routes are not matched (each handler authorises itself and answers 401/403 JSON, never a
// redirect), but for paths that may not decode. A path with malformed percent-encoding is a 400
// here. Layouts and routes check the user in the database on every request too.
import { NextResponse, type NextRequest } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { errorResponse } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { contentSecurityPolicy, createNonce } from '@/lib/server/auth/content-security-policy';
import { actorFromSessionToken, sessionCookieValue } from '@/lib/server/auth/session-actor';

const PUBLIC_PAGES = ['/sign-in'];

async function hasSession(request: NextRequest): Promise<boolean> {
  const token = sessionCookieValue(request.cookies.getAll());
  if (!token) return false;
  try {
    // the same check as the API's: signature, user active, session version current (cached 3 s)
    return (await actorFromSessionToken(token)) !== null;
  } catch {
    return true; // the database is down: let the page's own check answer (an error, not a loop)
  }
}

/** Whether a path's percent-encoding is malformed (%ff, %E0%A4%A): Next's router cannot decode it. */
function malformedPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

export async function proxy(request: NextRequest) {
  // a path Next cannot decode would be its plain-text 500: a 400 here
  if (malformedPath(request.nextUrl.pathname)) {
    return errorResponse(
      new ApiError('invalid_request', 'The request path has malformed percent-encoding', [{ field: 'path', message: 'not valid percent-encoded UTF-8' }]),
    );
  }
  // an API path that decodes: its handler authorises it (401/403 JSON, never a redirect)
  if (request.nextUrl.pathname.startsWith('/api/')) return NextResponse.next();
  // pages are read, never posted to (no server actions): Next rendered a POST as a GET, body and all
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new NextResponse(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
  }
  const nonce = createNonce();
  const csp = contentSecurityPolicy(nonce, {
    dev: process.env.NODE_ENV === 'development',
    https: env().NEXTAUTH_URL!.startsWith('https://'),
  });
  const { pathname, search } = request.nextUrl;
  const isPublic = PUBLIC_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  if (!isPublic && !(await hasSession(request))) {
    const target = new URL('/sign-in', request.url);
    // the filters of a shared list link (/?groupId=...) come back after signing in too; a path
    // like //evil.example is not taken along
    const back = safeRedirectPath(pathname + search, request.nextUrl.origin);
    if (back !== '/') target.searchParams.set('callbackUrl', back);
    const response = NextResponse.redirect(target);
    response.headers.set('Content-Security-Policy', csp);
    return response;
  }
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  // Pages, not static files. Of the API only paths with a percent-encoded byte over 0x7f or a
  // broken escape, which Next's router may fail to decode (its plain-text 500): a proxy reads a
  // request's body before the route runs (up to proxyClientMaxBodySize, next.config.js), which
  // would undo the API's streaming body limits and timeouts, so the API's ordinary paths never come here.
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|robots.txt).*)', '/api/(.*%(?:[89a-fA-F][0-9a-fA-F]|(?![0-9a-fA-F]{2})).*)'],
};

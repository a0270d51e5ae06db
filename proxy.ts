// Next 16's proxy (formerly middleware; Node.js runtime): every page response gets a fresh CSP
// nonce, and page requests without a valid session cookie go to /sign-in. API routes are not
// matched: each handler authorises itself and answers 401/403 JSON, never a redirect. This is a
// convenience gate only: layouts and routes check the user in the database on every request.
import { NextResponse, type NextRequest } from 'next/server';
import { decode } from 'next-auth/jwt';
import { env } from '@/lib/env';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { ensureAuthReady } from '@/lib/server/auth/bootstrap';
import { contentSecurityPolicy, createNonce } from '@/lib/server/auth/content-security-policy';
import { sessionCookieValue } from '@/lib/server/auth/session-actor';

const PUBLIC_PAGES = ['/sign-in'];

async function hasSession(request: NextRequest): Promise<boolean> {
  const token = sessionCookieValue(request.cookies.getAll());
  if (!token) return false;
  try {
    const claims = await decode({ token, secret: await ensureAuthReady() });
    return Boolean(claims?.sub);
  } catch {
    return false;
  }
}

export async function proxy(request: NextRequest) {
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
  // Pages only: not the API, not static files.
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|robots.txt).*)'],
};

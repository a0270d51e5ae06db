// Credentials for API tests and Playwright: real API tokens and users inserted into the test
// database, and a session cookie obtained through next-auth's own sign-in endpoints.
// No server-only imports here: Playwright loads this file outside Next and vitest.
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { insertApiToken } from '@/lib/server/auth/api-token-core';

export type TestRole = 'viewer' | 'operator' | 'admin';

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Inserts an API token with `role` into the test database and returns the token. */
export async function createTestToken(databaseUrl: string, role: TestRole, name = `test-${role}-${randomBytes(3).toString('hex')}`): Promise<string> {
  return withClient(databaseUrl, async (client) => (await insertApiToken(client, { name, role, createdBy: 'tests' })).token);
}

export function bearer(token: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: TestRole;
}

/** Inserts an active user with a random email and password. */
export async function createTestUser(databaseUrl: string, role: TestRole, label: string = role): Promise<TestUser> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.test`;
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hash(password);
  const id = await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "users" ("email", "role", "password_hash", "created_by") VALUES ($1, $2, $3, 'tests') RETURNING "id"`,
      [email, role, passwordHash],
    );
    return rows[0].id;
  });
  return { id, email, password, role };
}

function setCookies(res: Response): { name: string; value: string }[] {
  return res.headers.getSetCookie().map((c) => {
    const pair = c.split(';')[0];
    const i = pair.indexOf('=');
    return { name: pair.slice(0, i), value: pair.slice(i + 1) };
  });
}

export interface SignInOutcome {
  /** `Cookie` header value carrying the session, or null when sign-in failed */
  cookie: string | null;
  /** next-auth's error code (CredentialsSignin, ...) when it failed; RateLimited for the limiter's 429 */
  error: string | null;
  status: number;
  /** the limiter's Retry-After (seconds) on a 429 */
  retryAfter: number | null;
  /** the JSON body (next-auth's `{url}`, or the error envelope) */
  body: { url?: string; error?: { code: string; message: string; details?: unknown } };
}

/**
 * Signs in through /api/auth/callback/credentials like the sign-in page does. `headers` may set
 * X-Forwarded-For to act as a client at another address (the per-IP rate limit).
 */
export async function signIn(
  baseUrl: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
  callbackUrl = '/',
): Promise<SignInOutcome> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = setCookies(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: jar.map((c) => `${c.name}=${c.value}`).join('; ') },
    body: new URLSearchParams({ email, password, csrfToken, json: 'true', callbackUrl }),
  });
  const body = (await res.json().catch(() => ({}))) as SignInOutcome['body'];
  const error = res.status === 429 ? 'RateLimited' : body.url ? new URL(body.url, baseUrl).searchParams.get('error') : 'NoUrl';
  const session = setCookies(res).find((c) => c.name.endsWith('next-auth.session-token'));
  const retryAfter = res.headers.get('retry-after');
  return {
    cookie: session && !error ? `${session.name}=${session.value}` : null,
    error,
    status: res.status,
    retryAfter: retryAfter === null ? null : Number(retryAfter),
    body,
  };
}

/** Signs out through /api/auth/signout like the user menu does; returns the response status. */
export async function signOut(baseUrl: string, cookie: string): Promise<number> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = [cookie, ...setCookies(csrfRes).map((c) => `${c.name}=${c.value}`)].join('; ');
  const res = await fetch(`${baseUrl}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar, origin: baseUrl },
    body: new URLSearchParams({ csrfToken, json: 'true', callbackUrl: '/sign-in' }),
  });
  await res.arrayBuffer();
  return res.status;
}

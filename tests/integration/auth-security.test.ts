// Access control beyond the route matrix, against the production server: security headers and
// cookie flags, cross-site writes refused, the sign-out, the redirect, page redirects, the token
// CLI, and first start (generated admin password printed once, session secret kept). The sign-in
// limiter has its own file: auth-sign-in-limiter.test.ts.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers/amqp';
import { bearer, createTestToken, createTestUser, signIn, signOut } from '../helpers/auth';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startNextServer, type RunningServer } from '../helpers/next-server';

const run = promisify(execFile);

function serverEnv(db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    EVENTS_EXCHANGE: uniqueName('authsec.events'),
    DLQ_QUEUE: uniqueName('authsec.dlq'),
    DECLARE_TOPOLOGY: 'false',
    DRAIN: 'false',
    TAP: 'false',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

describe('access control on the running console', () => {
  let db: TestDatabase;
  let server: RunningServer;
  const admin = { email: 'sec-admin@example.test', password: `pw-${randomUUID()}` };
  let adminCookie: string;

  beforeAll(async () => {
    db = await createTestDatabase('authsec');
    server = await startNextServer(serverEnv(db, { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password }));
    const session = await signIn(server.url, admin.email, admin.password);
    expect(session.error).toBeNull();
    adminCookie = session.cookie!;
  });

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('sends security headers: nonce CSP on pages, nosniff, referrer policy, no framing', async () => {
    const page = await fetch(`${server.url}/sign-in`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    expect(nonce).toBeTruthy();
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(scriptSrc).toContain("'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // Next put this response's nonce on every script it rendered
    const scripts = (await page.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => !s.includes(`nonce="${nonce}"`))).toEqual([]);
    // a fresh nonce per response
    const again = await fetch(`${server.url}/sign-in`);
    expect(again.headers.get('content-security-policy')).not.toBe(csp);

    const api = await fetch(`${server.url}/api/health`);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sets the session cookie httpOnly and sameSite=lax (secure only behind https)', async () => {
    const user = await createTestUser(db.url, 'viewer');
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: csrf.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      },
      body: new URLSearchParams({ email: user.email, password: user.password, csrfToken, json: 'true' }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('next-auth.session-token='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).not.toMatch(/;\s*Secure/i); // NEXTAUTH_URL is http here
  });

  it('refuses cross-site writes with a session cookie, not same-origin ones or Bearer tokens', async () => {
    const post = (headers: Record<string, string>, name: string) =>
      fetch(`${server.url}/api/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name, role: 'viewer' }),
      });
    const evil = await post({ cookie: adminCookie, origin: 'https://evil.example' }, 'evil-origin');
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const evilSite = await post({ cookie: adminCookie, 'sec-fetch-site': 'cross-site' }, 'evil-site');
    expect(evilSite.status).toBe(403);
    const nullOrigin = await post({ cookie: adminCookie, origin: 'null' }, 'null-origin');
    expect(nullOrigin.status).toBe(403);
    const { rows } = await db.pool.query(`SELECT 1 FROM api_tokens WHERE name LIKE 'evil%' OR name = 'null-origin'`);
    expect(rows).toEqual([]); // nothing was created

    expect((await post({ cookie: adminCookie, origin: server.url }, 'same-origin')).status).toBe(201);
    const adminToken = await createTestToken(db.url, 'admin');
    expect((await post({ ...bearer(adminToken), origin: 'https://evil.example' }, 'script')).status).toBe(201);
  });

  it('redirects signed-out page requests to /sign-in but answers the API with 401 JSON', async () => {
    const page = await fetch(`${server.url}/groups?x=1`, { redirect: 'manual' });
    expect(page.status).toBe(307);
    const location = new URL(page.headers.get('location')!, server.url);
    expect(location.pathname).toBe('/sign-in');
    expect(location.searchParams.get('callbackUrl')).toBe('/groups?x=1');
    const forged = await fetch(`${server.url}/settings`, { redirect: 'manual', headers: { cookie: 'next-auth.session-token=forged' } });
    expect(forged.status).toBe(307);
    const api = await fetch(`${server.url}/api/groups`, { redirect: 'manual' });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const signedIn = await fetch(`${server.url}/settings`, { redirect: 'manual', headers: { cookie: adminCookie } });
    expect(signedIn.status).toBe(200);
  });

  it('the sign-out: a copied session cookie stops working once its session signs out', async () => {
    const user = await createTestUser(db.url, 'operator', 'leaver');
    const session = await signIn(server.url, user.email, user.password);
    expect(session.error).toBeNull();
    const copied = session.cookie!;
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie: copied } })).status).toBe(200);
    expect((await fetch(`${server.url}/groups`, { redirect: 'manual', headers: { cookie: copied } })).status).toBe(200);

    expect(await signOut(server.url, session.cookie!)).toBeLessThan(400);

    const api = await fetch(`${server.url}/api/me`, { headers: { cookie: copied } });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const page = await fetch(`${server.url}/groups`, { redirect: 'manual', headers: { cookie: copied } });
    expect(page.status).toBe(307);
    expect(new URL(page.headers.get('location')!, server.url).pathname).toBe('/sign-in');
    // a write with the copied cookie is refused too
    const write = await fetch(`${server.url}/api/tokens`, {
      method: 'POST',
      headers: { cookie: copied, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'after-sign-out', role: 'viewer' }),
    });
    expect(write.status).toBe(401);
    // signing in again works, with a new session
    const again = await signIn(server.url, user.email, user.password);
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie: again.cookie! } })).status).toBe(200);
  });

  it("a password reset by an admin still ends the user's sessions", async () => {
    const user = await createTestUser(db.url, 'viewer', 'reset');
    const session = await signIn(server.url, user.email, user.password);
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie: session.cookie! } })).status).toBe(200);
    const reset = await fetch(`${server.url}/api/users/${user.id}`, {
      method: 'PATCH',
      headers: { cookie: adminCookie, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ resetPassword: true }),
    });
    expect(reset.status).toBe(200);
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie: session.cookie! } })).status).toBe(401);
  });

  it('the redirect: callbackUrl never leads off the console, and control characters never give a 500', async () => {
    const user = await createTestUser(db.url, 'viewer', 'redirect');
    const origin = new URL(server.url).origin;
    // next-auth's own answer (the URL the sign-in page would follow) stays on this origin
    for (const callbackUrl of ['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/a/..//evil.example']) {
      const result = await signIn(server.url, user.email, user.password, {}, callbackUrl);
      expect(result.error, callbackUrl).toBeNull();
      expect(new URL(result.body.url!).origin, callbackUrl).toBe(origin);
      expect(new URL(result.body.url!).pathname, callbackUrl).toBe('/');
    }
    // TAB/CR/LF in the callbackUrl field: refused with 400 before next-auth
    for (const callbackUrl of ['/\t/evil.example', '/\n/evil.example', '/\r/evil.example']) {
      const result = await signIn(server.url, user.email, user.password, {}, callbackUrl);
      expect(result.status, JSON.stringify(callbackUrl)).toBe(400);
      expect(result.body.error?.code).toBe('invalid_request');
    }
    const session = await signIn(server.url, user.email, user.password);
    for (const query of ['/%09/evil.example', '/%0a/evil.example', '/%0d/evil.example', '%0d%0aSet-Cookie:x=1', '//evil.example', '/%5Cevil.example']) {
      for (const headers of [{}, { cookie: session.cookie! }] as Record<string, string>[]) {
        const page = await fetch(`${server.url}/sign-in?callbackUrl=${query}`, { redirect: 'manual', headers });
        expect(page.status, `${query} ${JSON.stringify(headers)}`).toBeLessThan(500);
        if (page.status >= 300 && page.status < 400) {
          expect(new URL(page.headers.get('location')!, server.url).origin).toBe(origin);
          expect(new URL(page.headers.get('location')!, server.url).pathname).toBe('/');
        } else {
          expect(page.status).toBe(200);
        }
      }
      const api = await fetch(`${server.url}/api/auth/signin?callbackUrl=${query}`, { redirect: 'manual' });
      expect(api.status, query).toBeLessThan(500);
    }
    // next-auth's own endpoints given a callbackUrl that is no URL at all: its safe path ('/'),
    // never next-auth's error=Configuration (a misconfigured server, as the sign-in page said).
    // A GET of the credentials sign-in is always error=credentials (it is a POST), whatever the URL.
    for (const [endpoint, error] of [
      ['signin', null],
      ['signin/credentials', 'credentials'],
      ['signout', null],
    ] as const)
      for (const callbackUrl of ['javascript:alert(1)', 'https://evil.example/', '/groups']) {
        const answer = await fetch(`${server.url}/api/auth/${endpoint}?callbackUrl=${encodeURIComponent(callbackUrl)}`, { redirect: 'manual' });
        const where = `${endpoint} ${callbackUrl}`;
        expect(answer.status, where).toBeLessThan(500);
        const location = answer.headers.get('location');
        if (!location) continue;
        const next = new URL(location, server.url);
        expect(next.origin, where).toBe(origin);
        expect(next.searchParams.get('error'), where).toBe(error);
        const back = next.searchParams.get('callbackUrl');
        if (back) expect(new URL(back, server.url).origin, where).toBe(origin);
      }
    // the proxy's sign-in redirect does not carry a path that leaves the site
    const proxied = await fetch(`${server.url}/a/..//evil.example`, { redirect: 'manual' });
    expect(proxied.status).toBeLessThan(500);
    const location = proxied.headers.get('location');
    if (location) {
      const back = new URL(location, server.url).searchParams.get('callbackUrl');
      if (back) expect(new URL(back, server.url).origin).toBe(origin);
    }
  });

  it('keeps /api/health and (without METRICS_TOKEN) /api/metrics public', async () => {
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const metrics = await fetch(`${server.url}/api/metrics`);
    expect(metrics.status).toBe(200);
  });

  it('offers only email and password without the OIDC settings', async () => {
    const providers = (await (await fetch(`${server.url}/api/auth/providers`)).json()) as Record<string, unknown>;
    expect(Object.keys(providers)).toEqual(['credentials']);
  });

  it('records when a token was last used, and a revoked token stops working', async () => {
    const token = await createTestToken(db.url, 'viewer', 'last-used');
    const me = await fetch(`${server.url}/api/me`, { headers: bearer(token) });
    expect(await me.json()).toEqual({ name: 'last-used', role: 'viewer', kind: 'token' });
    const adminToken = await createTestToken(db.url, 'admin');
    let item: { id: string; lastUsedAt: string | null } | undefined;
    for (let i = 0; i < 20 && !item?.lastUsedAt; i++) {
      const list = (await (await fetch(`${server.url}/api/tokens`, { headers: bearer(adminToken) })).json()) as { items: (typeof item & { name: string })[] };
      item = list.items.find((t) => t.name === 'last-used');
      if (!item?.lastUsedAt) await new Promise((r) => setTimeout(r, 100)); // the write is not awaited
    }
    expect(item?.lastUsedAt).toBeTruthy();
    expect((await fetch(`${server.url}/api/tokens/${item!.id}`, { method: 'DELETE', headers: bearer(adminToken) })).status).toBe(200);
    expect((await fetch(`${server.url}/api/me`, { headers: bearer(token) })).status).toBe(401);
  });

  it('npm run token -- create prints only a working token', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'create', '--role', 'operator', '--name', 'ci-script'], {
      env: { ...process.env, DATABASE_URL: db.url },
    });
    expect(stdout).toMatch(/^edk_[A-Za-z0-9_-]{43}\n$/);
    const me = await fetch(`${server.url}/api/me`, { headers: bearer(stdout.trim()) });
    expect(await me.json()).toEqual({ name: 'ci-script', role: 'operator', kind: 'token' });
    await expect(
      run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'create', '--role', 'root', '--name', 'x'], {
        env: { ...process.env, DATABASE_URL: db.url },
      }),
    ).rejects.toThrow(/--role/);
  });

  it('an admin cannot disable themself, and the last admin stays', async () => {
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [admin.email]);
    const res = await fetch(`${server.url}/api/users/${rows[0].id}`, {
      method: 'PATCH',
      headers: { cookie: adminCookie, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'disabled' }),
    });
    expect(res.status).toBe(409);
  });
});

describe('first start', () => {
  let db: TestDatabase;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('authboot');
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('creates the admin with a generated password printed once, and keeps the session secret', async () => {
    const env = serverEnv(db, { ADMIN_EMAIL: 'first@example.test', ADMIN_PASSWORD: '', NEXTAUTH_SECRET: '' });
    server = await startNextServer(env);
    let printed: string | undefined;
    for (let i = 0; i < 50 && !printed; i++) {
      // the framed block on stdout (lib/server/auth/first-admin-banner.ts)
      printed = /\|\s+Password\s+(\S+)\s+\|/.exec(server.output())?.[1];
      if (!printed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(printed).toBeTruthy();
    expect(server.output()).toMatch(/\|\s+Email\s+first@example\.test\s+\|/);
    const session = await signIn(server.url, 'first@example.test', printed!);
    expect(session.error).toBeNull();
    const { rows } = await db.pool.query(`SELECT name FROM app_secrets`);
    expect(rows).toEqual([{ name: 'nextauth_secret' }]);
    const { rows: users } = await db.pool.query(`SELECT password_hash FROM users`);
    expect(users[0].password_hash).toMatch(/^\$argon2id\$/);

    await server.stop();
    server = await startNextServer(env);
    await fetch(`${server.url}/sign-in`);
    expect(server.output()).not.toMatch(/generated password|Password\s+\S/);
    // the same secret after a restart: the session from before still works
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie: session.cookie! } })).status).toBe(200);
  });
});

describe('single sign-on settings', () => {
  let db: TestDatabase;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('authoidc');
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('offers the OIDC provider when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set', async () => {
    // The issuer is never contacted here: next-auth reads its discovery document at sign-in.
    server = await startNextServer(
      serverEnv(db, {
        ADMIN_PASSWORD: 'oidc-admin-password',
        OIDC_ISSUER: 'http://127.0.0.1:9/issuer',
        OIDC_CLIENT_ID: 'eventdesk',
        OIDC_CLIENT_SECRET: 'secret',
      }),
    );
    const providers = (await (await fetch(`${server.url}/api/auth/providers`)).json()) as Record<string, { type: string }>;
    expect(Object.keys(providers).sort()).toEqual(['credentials', 'oidc']);
    expect(providers.oidc.type).toBe('oauth');
    expect(await (await fetch(`${server.url}/sign-in`)).text()).toMatch(/Sign in with (<!-- -->)?single sign-on/);
  });
});

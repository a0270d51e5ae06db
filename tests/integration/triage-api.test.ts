// Triage API over HTTP against the production build: shapes, filters, 400 naming the field,
// 404 in the envelope, and the rendering of a hostile body through the API as plain data.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startNextServer, type RunningServer } from '../helpers/next-server';
import { bearer, createTestToken } from '../helpers/auth';
import { seedDeadLetter, type Seeded } from './triage-seed';

let db: TestDatabase;
let server: RunningServer;
let auth: Record<string, string>;
const seeded: Seeded[] = [];

const get = (path: string) => fetch(`${server.url}${path}`, { headers: auth });

beforeAll(async () => {
  db = await createTestDatabase('triageapi');
  for (let i = 0; i < 6; i++) {
    seeded.push(
      await seedDeadLetter(db.pool, {
        eventType: i % 2 ? 'course.completed' : 'user.created',
        queue: i % 3 ? 'analytics-service' : 'notification-service',
        reason: i === 5 ? 'expired' : 'rejected',
        status: i === 4 ? 'discarded' : 'pending',
        validationStatus: i === 3 ? 'invalid' : 'valid',
        errorMessage: i === 2 ? 'Mailbox capybara unavailable' : `Handler failed for order ${1000 + i}`,
        correlationId: i < 2 ? 'corr-api' : null,
        lastFailedAt: new Date(Date.parse('2026-11-25T10:00:00Z') + i * 60_000),
      }),
    );
  }
  server = await startNextServer({ DATABASE_URL: db.url, DRAIN: 'false', TAP: 'false', LOG_LEVEL: 'warn' });
  auth = bearer(await createTestToken(db.url, 'admin'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('GET /api/dead-letters', () => {
  it('returns {items, nextCursor} newest first', async () => {
    const res = await get('/api/dead-letters');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items.map((d: { id: string }) => d.id)).toEqual(seeded.map((s) => s.id).reverse());
    expect(body.nextCursor).toBeNull();
    expect(body.items[0]).toMatchObject({ eventType: 'course.completed', queue: 'analytics-service', reason: 'expired', attempts: 1, valid: true });
  });

  it.each([
    ['eventType=course.completed', [1, 3, 5]],
    ['queue=notification-service', [0, 3]],
    ['reason=expired', [5]],
    ['status=discarded', [4]],
    ['validity=invalid', [3]],
    ['correlationId=corr-api', [0, 1]],
    ['q=capybara', [2]],
    ['from=2026-11-25T10:02:00Z&to=2026-11-25T10:04:00Z', [2, 3]],
    ['eventType=user.created&status=pending&queue=analytics-service', [2]],
    ['eventType=', [0, 1, 2, 3, 4, 5]],
  ])('filters %s', async (qs, indexes) => {
    const res = await get(`/api/dead-letters?${qs}`);
    expect(res.status).toBe(200);
    const ids = (await res.json()).items.map((d: { id: string }) => d.id);
    expect(ids.sort()).toEqual(indexes.map((i) => seeded[i].id).sort());
  });

  it('filters by group id', async () => {
    const res = await get(`/api/dead-letters?groupId=${seeded[2].groupId}`);
    expect((await res.json()).items.map((d: { id: string }) => d.id)).toEqual([seeded[2].id]);
  });

  it('pages with limit and cursor', async () => {
    // the smallest page is 50: add enough rows to need two pages
    const many = await createTestDatabase('triageapi2');
    try {
      for (let i = 0; i < 55; i++) await seedDeadLetter(many.pool, { lastFailedAt: new Date(Date.parse('2026-11-25T00:00:00Z') + i * 1000) });
      const s2 = await startNextServer({ DATABASE_URL: many.url, DRAIN: 'false', TAP: 'false', LOG_LEVEL: 'warn' });
      try {
        const h = bearer(await createTestToken(many.url, 'viewer'));
        const p1 = await (await fetch(`${s2.url}/api/dead-letters?limit=50`, { headers: h })).json();
        expect(p1.items).toHaveLength(50);
        const p2 = await (await fetch(`${s2.url}/api/dead-letters?limit=50&cursor=${p1.nextCursor}`, { headers: h })).json();
        expect(p2.items).toHaveLength(5);
        expect(new Set([...p1.items, ...p2.items].map((d: { id: string }) => d.id)).size).toBe(55);
        expect(p2.nextCursor).toBeNull();
      } finally {
        await s2.stop();
      }
    } finally {
      await many.drop();
    }
  });

  it.each([
    ['limit=7', 'limit'],
    ['limit=abc', 'limit'],
    ['status=lost', 'status'],
    ['reason=nope', 'reason'],
    ['validity=maybe', 'validity'],
    ['from=yesterday', 'from'],
    ['to=2026-13-45', 'to'],
    ['groupId=not%20a%20group!', 'groupId'],
    ['cursor=%24%24%24', 'cursor'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['eventType=a&eventType=b', 'eventType'],
    [`q=${'x'.repeat(201)}`, 'q'],
  ])('400 with the field for %s', async (qs, field) => {
    const res = await get(`/api/dead-letters?${qs}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('answers 401 without credentials', async () => {
    const res = await fetch(`${server.url}/api/dead-letters`);
    expect(res.status).toBe(401);
  });
});

describe('GET /api/dead-letters/:id', () => {
  it('returns the detail shape of the README HTTP API', async () => {
    const res = await get(`/api/dead-letters/${seeded[3].id}`);
    expect(res.status).toBe(200);
    const d = await res.json();
    for (const k of ['body', 'properties', 'headers', 'deaths', 'validation', 'history']) expect(d).toHaveProperty(k);
    expect(d.body).toMatchObject({ encoding: 'utf8' });
    expect(d.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.validation.status).toBe('invalid');
    expect(d.history[0]).toMatchObject({ action: 'dead-lettered', actor: 'drain' });
  });

  it('returns hostile markup in a body and header as plain JSON strings', async () => {
    const evil = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
    const s = await seedDeadLetter(db.pool, { body: `{"note": ${JSON.stringify(evil)}}`, headers: { 'x-evil': evil } });
    const res = await get(`/api/dead-letters/${s.id}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const d = await res.json();
    expect(JSON.parse(d.body.data).note).toBe(evil);
    expect(d.headers['x-evil']).toBe(evil);
  });

  it('404s an unknown id and a malformed one in the envelope', async () => {
    for (const id of [randomUUID(), 'not-a-uuid', '%27%3B--']) {
      const res = await get(`/api/dead-letters/${id}`);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
  });

  it('answers an /api path no route serves, by any method, with the JSON 404 (not an HTML page)', async () => {
    for (const [method, path] of [
      ['GET', '/api/nonexistent'],
      ['PUT', '/api/nonexistent'],
      ['POST', '/api/dead-letters/00000000-0000-4000-8000-000000000000/nothing'],
      ['DELETE', '/api/groups/x/y/z'],
    ]) {
      const res = await fetch(`${server.url}${path}`, { method, headers: auth });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
      expect((await res.json()).error.code, path).toBe('not_found');
    }
    // the routes themselves still answer
    expect((await get('/api/health')).status).toBe(200);
  });

  it('health answers within its read deadline while the inbox is locked, and says degraded (it took 10 s and said ok)', async () => {
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE dead_letter_inbox IN ACCESS EXCLUSIVE MODE');
      const started = performance.now();
      const res = await get('/api/health');
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; database: { ok: boolean }; derivation: unknown };
      expect(body).toMatchObject({ status: 'degraded', database: { ok: true }, derivation: null });
      // each read waits at most 2 s, all at once; before, one after the other, 5 s each
      expect(elapsed).toBeLessThan(4500);
      // eight probes at once share each read: the server's connections waiting on the lock stay
      // at one a read, four reads at most (each probe held its own, up to the pool's 10)
      const probes = Promise.all(Array.from({ length: 8 }, () => get('/api/health')));
      await new Promise((r) => setTimeout(r, 1000));
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      expect(rows[0].n).toBeGreaterThan(0);
      expect(rows[0].n).toBeLessThanOrEqual(4);
      for (const r of await probes) expect(r.status).toBe(200);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    expect(((await (await get('/api/health')).json()) as { status: string }).status).toBe('ok');
  });

  it('answers an action next-auth does not have in the error envelope (it answered plain text)', async () => {
    for (const [method, path] of [
      ['GET', '/api/auth/callback/nope'],
      ['POST', '/api/auth/providers'],
      ['GET', '/api/auth/nothing-here'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method, redirect: 'manual' });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
      expect((await res.json()).error.code, path).toMatch(/^(invalid_request|not_found)$/);
    }
    // its own endpoints are untouched
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    expect(csrf.status).toBe(200);
    expect(typeof ((await csrf.json()) as { csrfToken: unknown }).csrfToken).toBe('string');
  });

  it('answers 405 to a page request that is not GET or HEAD (pages take no body), signed in or not', async () => {
    // before: rendered as a GET, each body of up to 10 MB buffered first (120 of them took the server to 1.5 GB)
    const big = 'x'.repeat(5 * 1024 * 1024);
    for (const [method, path, headers] of [
      ['POST', '/sign-in', {}],
      ['POST', '/', auth],
      ['PUT', '/groups', auth],
      ['DELETE', '/dead-letters/00000000-0000-4000-8000-000000000000', {}],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method, headers, body: big });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), path).toBe('GET, HEAD');
    }
    const page = await fetch(`${server.url}/sign-in`);
    expect(page.status).toBe(200);
    expect((await fetch(`${server.url}/sign-in`, { method: 'HEAD' })).status).toBe(200);
  });

  it('400s a page or API path with malformed percent-encoding in the envelope (Next would answer a plain-text 500); well-formed escapes still route', async () => {
    for (const path of [
      '/%ff',
      '/groups/%c0',
      '/dead-letters/%E0%A4%A',
      '/api/dead-letters/%ff',
      '/api/groups/%E0%A4%A',
      '/api/health/%zz',
      '/api/dead-letters/%',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe('invalid_request');
      expect(JSON.stringify(body.error.details)).toContain('path');
    }
    // ASCII and UTF-8 escapes reach their handler: a 404 or 400 of its own, not the proxy's
    for (const path of ['/api/dead-letters/100%25', '/api/dead-letters/%C3%A9t%C3%A9']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect((await res.json()).error.code, path).toBe('not_found');
    }
    // a body sent to such a path (the proxy reads it first) still reaches the handler whole
    const res = await fetch(`${server.url}/api/dead-letters/%C3%A9/discard`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'x'.repeat(100_000) }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await res.json()).error.code).toMatch(/^(not_found|invalid_request)$/);
  });
});

describe('GET /api/groups and /api/dead-letters/facets', () => {
  it('lists groups with counts and a 24-point sparkline', async () => {
    const res = await get('/api/groups?sort=count');
    expect(res.status).toBe(200);
    const body = await res.json();
    const total = body.items.reduce((s: number, g: { count: number }) => s + g.count, 0);
    expect(total).toBeGreaterThanOrEqual(6);
    for (const g of body.items) {
      expect(Object.keys(g)).toEqual(
        expect.arrayContaining(['id', 'eventType', 'queue', 'reason', 'signature', 'count', 'pendingCount', 'firstSeenAt', 'lastSeenAt', 'hourly']),
      );
      expect(g.hourly).toHaveLength(24);
    }
  });

  it('narrows to one group by id (what the list group chip names)', async () => {
    const res = await get(`/api/groups?id=${seeded[2].groupId}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items.map((g: { id: string }) => g.id)).toEqual([seeded[2].groupId]);
    expect(body.items[0].signature).toBe('Mailbox capybara unavailable');
    expect((await (await get('/api/groups?id=0000000000000000')).json()).items).toEqual([]);
  });

  it('400s bad group parameters', async () => {
    for (const [qs, field] of [
      ['limit=0', 'limit'],
      ['sort=random', 'sort'],
    ]) {
      const res = await get(`/api/groups?${qs}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error.details[0].field).toBe(field);
    }
  });

  it('counts facets and 400s a bad filter', async () => {
    const res = await get('/api/dead-letters/facets?eventType=user.created');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.facets.queue.reduce((s: number, v: { count: number }) => s + v.count, 0)).toBeGreaterThanOrEqual(3);
    expect((await get('/api/dead-letters/facets?validity=x')).status).toBe(400);
  });
});

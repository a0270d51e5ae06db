// Bad input answers 4xx in the error envelope and changes nothing, never a 500: NUL characters
// and lone surrogates in query or body strings, years 0 and 10000, cursors with huge timestamps,
// an audit cursor beyond bigint, bodies nested too deep, and bodies over the limit sent chunked
// (refused while streaming: the server stops reading). next-auth's route included.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, envelope, routeEnv, type Handler, type RouteEnv } from './route-handlers';
import { seedDeadLetter, type Seeded } from './triage-seed';

let env: RouteEnv;
let seeded: Seeded;
const routes = {} as Record<'list' | 'audit' | 'throughput' | 'groups' | 'discard' | 'bulk' | 'users' | 'auth', Handler>;

beforeAll(async () => {
  env = await routeEnv('badinput');
  seeded = await seedDeadLetter(env.db.pool, {});
  routes.list = (await import('@/app/api/dead-letters/route')).GET;
  routes.audit = (await import('@/app/api/audit/route')).GET;
  routes.throughput = (await import('@/app/api/stats/throughput/route')).GET;
  routes.groups = (await import('@/app/api/groups/route')).GET;
  routes.discard = (await import('@/app/api/dead-letters/[id]/discard/route')).POST as Handler;
  routes.bulk = (await import('@/app/api/bulk/route')).POST;
  routes.users = (await import('@/app/api/users/route')).POST;
  routes.auth = (await import('@/app/api/auth/[...nextauth]/route')).POST as unknown as Handler;
}, 120_000);

afterAll(async () => {
  await env?.db.drop();
});

async function expect400(res: Response, field?: string) {
  expect(res.status).toBe(400);
  const error = await envelope(res);
  expect(error.code).toBe('invalid_request');
  // details is always a list of {field, message}, naming the field
  if (field) expect((error.details as { field: string }[]).map((d) => d.field)).toContainEqual(expect.stringContaining(field));
}

const cursor = (raw: string) => Buffer.from(raw, 'utf8').toString('base64url');

describe('query strings', () => {
  it.each([
    ['NUL in the search text', '/api/dead-letters?q=a%00b', 'q'],
    ['NUL in a filter', '/api/dead-letters?eventType=user%00created', 'eventType'],
    ['NUL in a parameter name', '/api/dead-letters?a%00=1', '(query)'],
    ['year 0', '/api/dead-letters?from=0000-01-01T00:00:00Z', 'from'],
    ['year 10000', '/api/dead-letters?to=%2B010000-01-01T00:00:00Z', 'to'],
    ['a day the calendar does not have', '/api/dead-letters?from=2024-02-30T00:00:00Z', 'from'],
    ['an empty time range', '/api/dead-letters?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
    ['a huge timestamp in a cursor', `/api/dead-letters?cursor=${cursor(`n.9007199254740991.${randomUUID()}`)}`, 'cursor'],
    ['a timestamp before year 1 in a cursor', `/api/dead-letters?cursor=${cursor(`p.-62198755200000.${randomUUID()}`)}`, 'cursor'],
  ])('%s -> 400 on the list', async (_name, path, field) => {
    await expect400(await call(routes.list, 'GET', path, { headers: env.tokens.viewer }), field);
  });

  it('a parameter that takes one value, given twice -> 400 saying so, each field named once', async () => {
    const res = await call(routes.list, 'GET', '/api/dead-letters?limit=50&limit=100&cursor=%21&cursor=%21', { headers: env.tokens.viewer });
    expect(res.status).toBe(400);
    const { details } = await envelope(res);
    expect(details).toEqual([
      { field: 'limit', message: 'given 2 times: expected one value' },
      { field: 'cursor', message: 'given 2 times: expected one value' },
    ]);
  });

  it.each([
    ['an audit cursor beyond bigint', '/api/audit?cursor=9223372036854775808', 'cursor'],
    ['an audit cursor of 19 nines', '/api/audit?cursor=9999999999999999999', 'cursor'],
    ['NUL in the audit actor', '/api/audit?actor=ops%00', 'actor'],
  ])('%s -> 400', async (_name, path, field) => {
    await expect400(await call(routes.audit, 'GET', path, { headers: env.tokens.viewer }), field);
  });

  it('the largest bigint cursor is fine', async () => {
    expect((await call(routes.audit, 'GET', '/api/audit?cursor=9223372036854775807', { headers: env.tokens.viewer })).status).toBe(200);
  });

  it.each([
    ['year 0', 'from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z'],
    ['year 9999 to 10000', 'from=9999-12-31T00:00:00Z&to=10000-01-01T00:00:00Z'],
    ['NUL in the event type', 'eventType=a%00'],
  ])('throughput with %s -> 400', async (_name, qs) => {
    await expect400(await call(routes.throughput, 'GET', `/api/stats/throughput?${qs}`, { headers: env.tokens.viewer }));
  });

  it('groups with a lone surrogate (%ED%A0%80 decodes to U+FFFD, so sent as the character) -> 400 or 200, never 500', async () => {
    const res = await call(routes.groups, 'GET', `/api/groups?queue=${encodeURIComponent('a\ufffd')}`, { headers: env.tokens.viewer });
    expect(res.status).toBe(200);
  });
});

describe('JSON bodies', () => {
  const discard = (body: unknown) =>
    call(routes.discard, 'POST', `/api/dead-letters/${seeded.id}/discard`, { headers: env.tokens.operator, body: body as object, params: { id: seeded.id } });

  it('NUL in a reason -> 400, and nothing changes', async () => {
    await expect400(await discard({ reason: 'bad\u0000reason' }), 'reason');
    const { rows } = await env.db.pool.query(`SELECT status FROM dead_letters WHERE id = $1`, [seeded.id]);
    expect(rows[0].status).toBe('pending');
  });

  it('a lone surrogate in a reason -> 400', async () => {
    await expect400(await discard({ reason: 'x\ud800y' }), 'reason');
  });

  it('a lone surrogate in a property name -> 400', async () => {
    await expect400(await discard({ reason: 'ok', ['\udc00']: 1 }));
  });

  it('a body nested 10,000 levels deep -> 400', async () => {
    const deep = '{"reason":"x","a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}';
    const res = await call(routes.discard, 'POST', `/api/dead-letters/${seeded.id}/discard`, {
      headers: { ...env.tokens.operator, 'content-type': 'application/json' },
      body: deep,
      params: { id: seeded.id },
    });
    await expect400(res, '(body)');
  });

  it('year 0 in a bulk filter -> 400', async () => {
    const res = await call(routes.bulk, 'POST', '/api/bulk', {
      headers: env.tokens.operator,
      body: { action: 'discard', reason: 'r', dryRun: true, selection: { filter: { from: '0000-01-01T00:00:00Z' } } },
    });
    await expect400(res, 'from');
  });

  it('NUL in a new user email -> 400', async () => {
    await expect400(await call(routes.users, 'POST', '/api/users', { headers: env.tokens.admin, body: { email: 'a\u0000@b.io', role: 'viewer' } }), 'email');
  });
});

/** A body that never ends, counting what the server pulled from it. */
function endless(chunk = 64 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const bytes = new Uint8Array(chunk).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk;
      controller.enqueue(bytes);
    },
  });
  return { stream, pulled: () => pulled };
}

describe('chunked bodies over the limit', () => {
  it('a chunked JSON body past 8 MiB -> 413 while streaming, the rest left unread', async () => {
    const { stream, pulled } = endless();
    const res = await call(routes.bulk, 'POST', '/api/bulk', { headers: { ...env.tokens.operator, 'content-type': 'application/json' }, body: stream });
    expect(res.status).toBe(413);
    expect(await envelope(res)).toMatchObject({ code: 'payload_too_large', details: [{ field: '(body)' }] });
    expect(pulled()).toBeLessThan(8 * 1024 * 1024 + 4 * 64 * 1024);
  });

  it('a declared Content-Length past the limit -> 413 without reading', async () => {
    const { stream, pulled } = endless();
    const res = await call(routes.bulk, 'POST', '/api/bulk', {
      headers: { ...env.tokens.operator, 'content-type': 'application/json', 'content-length': String(9 * 1024 * 1024) },
      body: stream,
    });
    expect(res.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  it("next-auth's route: a chunked body past 64 KiB -> 413 while streaming", async () => {
    const { stream, pulled } = endless(16 * 1024);
    const res = await call(routes.auth, 'POST', '/api/auth/callback/credentials', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: stream,
      params: { nextauth: ['callback', 'credentials'] },
    });
    expect(res.status).toBe(413);
    expect((await envelope(res)).code).toBe('payload_too_large');
    expect(pulled()).toBeLessThan(64 * 1024 + 4 * 16 * 1024);
  });
});

describe("next-auth's route", () => {
  const auth = (path: string, method: string, body?: string) =>
    call(routes.auth, method, path, {
      headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      params: { nextauth: path.split('?')[0].split('/').slice(3) },
    });

  it.each([
    ['%0a in callbackUrl', 'callbackUrl=%2F%0aevil'],
    ['%0d in callbackUrl', 'callbackUrl=%2F%0d%0aSet-Cookie%3A+x%3D1'],
    ['NUL in the email', 'email=a%00b&password=x&csrfToken=t'],
  ])('a POST with %s -> 400', async (_name, form) => {
    await expect400(await auth('/api/auth/callback/credentials', 'POST', form));
  });

  it('a GET with %0a in callbackUrl -> 400', async () => {
    await expect400(await auth('/api/auth/signin?callbackUrl=%2F%0aevil', 'GET'));
  });
});

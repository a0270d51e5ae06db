// Property-based: every route's query, params and body, filled with hostile values (NUL, lone
// surrogates, huge and negative numbers, extreme dates, deep nesting, wrong types), answers 2xx
// or 4xx in the error envelope, never 500. Drives the real route handlers against a real
// database (and the broker, for republish).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/errors';
import { guardAuthRequest } from '@/lib/api/auth-request-guard';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { call, envelope, routeEnv, type Handler, type RouteEnv } from './route-handlers';
import { seedDeadLetter, type Seeded } from './triage-seed';
import { ignoreCleanupError } from '../helpers/cleanup';

let env: RouteEnv;
let broker: TestBroker;
let seeded: Seeded;
const ledger = uniqueName('fuzzledger');
const h = {} as Record<string, Handler>;
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

beforeAll(async () => {
  env = await routeEnv('fuzz');
  broker = await createTestBroker();
  broker.track('queue', ledger);
  process.env.REPUBLISH_LEDGER_QUEUE = ledger;
  seeded = await seedDeadLetter(env.db.pool, {});
  const load = async (name: string, path: string, method: string) => {
    h[name] = (await import(/* @vite-ignore */ path))[method] as Handler;
  };
  await load('list', '@/app/api/dead-letters/route', 'GET');
  await load('facets', '@/app/api/dead-letters/facets/route', 'GET');
  await load('export', '@/app/api/dead-letters/export/route', 'GET');
  await load('detail', '@/app/api/dead-letters/[id]/route', 'GET');
  await load('groups', '@/app/api/groups/route', 'GET');
  await load('groupGet', '@/app/api/groups/[id]/route', 'GET');
  await load('groupPatch', '@/app/api/groups/[id]/route', 'PATCH');
  await load('groupNote', '@/app/api/groups/[id]/notes/route', 'POST');
  await load('throughput', '@/app/api/stats/throughput/route', 'GET');
  await load('audit', '@/app/api/audit/route', 'GET');
  await load('bulkGet', '@/app/api/bulk/[id]/route', 'GET');
  await load('bulk', '@/app/api/bulk/route', 'POST');
  await load('pause', '@/app/api/bulk/[id]/pause/route', 'POST');
  await load('resume', '@/app/api/bulk/[id]/resume/route', 'POST');
  await load('cancel', '@/app/api/bulk/[id]/cancel/route', 'POST');
  await load('channelTest', '@/app/api/notifications/channels/[id]/test/route', 'POST');
  await load('republish', '@/app/api/dead-letters/[id]/republish/route', 'POST');
  await load('discard', '@/app/api/dead-letters/[id]/discard/route', 'POST');
  await load('restore', '@/app/api/dead-letters/[id]/restore/route', 'POST');
  await load('retry', '@/app/api/dead-letters/[id]/retry/route', 'POST');
  await load('users', '@/app/api/users/route', 'POST');
  await load('userPatch', '@/app/api/users/[id]/route', 'PATCH');
  await load('tokens', '@/app/api/tokens/route', 'POST');
  await load('tokenDelete', '@/app/api/tokens/[id]/route', 'DELETE');
  await load('channels', '@/app/api/notifications/channels/route', 'POST');
  await load('channelPatch', '@/app/api/notifications/channels/[id]/route', 'PATCH');
  await load('deliveries', '@/app/api/notifications/deliveries/route', 'GET');
}, 120_000);

afterAll(async () => {
  const cache = globalThis as unknown as { __eventdeskRepublish?: Map<string, { close(): Promise<void> }> };
  for (const runtime of cache.__eventdeskRepublish?.values() ?? []) await runtime.close().catch(ignoreCleanupError);
  await broker?.cleanup();
  await env?.db.drop();
});

// ---- hostile values ----
const cursorOf = (raw: string) => Buffer.from(raw, 'utf8').toString('base64url');
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const hostileText = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\udc00\ud800',
    '%00',
    '',
    ' ',
    'x'.repeat(5000),
    // websearch NOTs in a row: PostgreSQL fails past ~32 ("tsquery stack too small")
    '-'.repeat(40),
    'a ' + '- '.repeat(33) + 'b',
    '0000-01-01T00:00:00Z',
    '+010000-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '1969-12-31T23:59:59Z',
    '275760-09-13T00:00:00Z',
    'Invalid Date',
    '9223372036854775808',
    '99999999999999999999',
    '-1',
    '1e309',
    'NaN',
    '0x10',
    cursorOf(`n.9007199254740991.${randomUUID()}`),
    cursorOf(`p.-8640000000000001.${randomUUID()}`),
    cursorOf('n.1.not-a-uuid'),
    randomUUID(),
    '00000000-0000-0000-0000-000000000000',
    '__proto__',
    'constructor',
    '[object Object]',
  ),
  utf16,
  fc.string({ maxLength: 30 }),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, -(2 ** 63), 1e21, 0.5));
const deep = (depth: number) => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(deep(100), deep(1000)),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(hostileText, hostileText, { maxKeys: 3 }),
  fc.anything({ maxDepth: 3 }),
);

async function expectNo500(res: Response, what: string): Promise<void> {
  if (res.status >= 400) {
    const text = await res.clone().text();
    expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(500);
    await envelope(res);
  }
}

const queryFields = {
  list: ['eventType', 'queue', 'reason', 'status', 'validity', 'q', 'from', 'to', 'groupId', 'correlationId', 'limit', 'cursor'],
  facets: ['eventType', 'queue', 'reason', 'status', 'validity', 'q', 'from', 'to', 'groupId', 'correlationId'],
  export: ['format', 'eventType', 'queue', 'reason', 'status', 'validity', 'q', 'from', 'to', 'groupId', 'correlationId'],
  groups: ['id', 'eventType', 'queue', 'reason', 'status', 'assignee', 'sort', 'limit'],
  throughput: ['from', 'to', 'eventType'],
  audit: ['limit', 'cursor', 'actor', 'action'],
  deliveries: ['channelId', 'limit'],
} as const;

describe('query schemas', () => {
  for (const [route, fields] of Object.entries(queryFields)) {
    it(`${route}: any query -> never 500`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...fields, 'x\u0000'), fc.oneof(hostileText, hostileNumber.map(String)), { maxKeys: 4 }),
          async (query) => {
            const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
            // deliveries is admin-only: a viewer would only ever see 403
            const headers = route === 'deliveries' ? env.tokens.admin : env.tokens.viewer;
            await expectNo500(await call(h[route], 'GET', `/api/x?${qs}`, { headers }), `${route}?${qs}`);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('named refusals', () => {
  // (what PostgreSQL's parser reads as nothing between them makes a run too: '!', '(', '&', '|', '<')
  const qHyphens = [
    '-'.repeat(33),
    'a ' + '- '.repeat(33) + 'b',
    '-'.repeat(9),
    '-!'.repeat(40) + 'a',
    '!-'.repeat(40) + 'a',
    '-(-'.repeat(20) + 'a',
    '-&-|-<'.repeat(10),
  ];

  it('a search with more than 8 NOTs in a row -> 400 naming q on the list, facets and export (PostgreSQL would fail it: 500, a cut export)', async () => {
    for (const route of ['list', 'facets', 'export']) {
      for (const q of qHyphens) {
        const res = await call(h[route], 'GET', `/api/x?${new URLSearchParams({ q })}`, { headers: env.tokens.viewer });
        expect(res.status, `${route} ${q}`).toBe(400);
        expect(JSON.stringify((await envelope(res)).details), route).toContain('"q"');
      }
    }
    // eight in a row is still a search
    const res = await call(h.list, 'GET', `/api/x?${new URLSearchParams({ q: '-'.repeat(8) + ' a' })}`, { headers: env.tokens.viewer });
    expect(res.status).toBe(200);
    const bulk = await call(h.bulk, 'POST', '/api/x', {
      headers: env.tokens.admin,
      body: { action: 'discard', selection: { filter: { q: '-'.repeat(33) } }, reason: 'probe', dryRun: true },
    });
    expect(bulk.status).toBe(400);
    expect(JSON.stringify((await envelope(bulk)).details)).toContain('selection.filter.q');
  });

  it('every search the schema lets through is one PostgreSQL parses (random runs of operators and words)', async () => {
    const { deadLetterFilterSchema } = await import('@/lib/schemas/dead-letters');
    const piece = fc.oneof(
      fc.constantFrom('-', '!', '(', ')', '&', '|', '<', '>', ' ', '"', ':', '*', 'or', 'a', '1', 'é', '_', '.', '@'),
      // runs of NOTs with something between them, long enough to pass PostgreSQL's limit (~32)
      fc
        .tuple(fc.constantFrom('-', '-!', '!-', '-(', '-&', '- ', '-|', '-<', '-"', '-.', '-_', '-:'), fc.integer({ min: 1, max: 40 }))
        .map(([p, n]) => p.repeat(n)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 12 }), async (pieces) => {
        const q = pieces.join('');
        if (!deadLetterFilterSchema.safeParse({ q }).success) return;
        // throws "tsquery stack too small" (a 500 on the routes) for a search it cannot parse
        await env.db.pool.query(`SELECT to_tsvector('simple', 'a b') @@ websearch_to_tsquery('simple'::regconfig, $1) AS hit`, [q]);
      }),
      { numRuns: 400 },
    );
  });

  it('a route with an optional body takes no bytes as {} whatever the headers; a body that is not JSON is 415', async () => {
    const id = randomUUID();
    for (const [route, method] of [
      ['pause', 'POST'],
      ['tokenDelete', 'DELETE'],
      ['restore', 'POST'],
    ] as const) {
      const empty = await call(h[route], method, '/api/x', { headers: { ...env.tokens.admin, 'content-type': 'application/json' }, params: { id }, body: '' });
      expect(empty.status, `${route} empty`).toBe(404); // past the body: no such record
      const text = await call(h[route], method, '/api/x', { headers: { ...env.tokens.admin, 'content-type': 'text/plain' }, params: { id }, body: 'x' });
      expect(text.status, `${route} text`).toBe(415);
    }
  });

  it("a bulk job's refusals name their field as every 400 does: a start in the past, a transform on a discard, a status filter", async () => {
    const cases: [object, string][] = [
      [{ action: 'discard', selection: { ids: [randomUUID()] }, reason: 'probe', startAt: '2020-01-01T00:00:00Z' }, 'startAt'],
      [{ action: 'discard', selection: { ids: [randomUUID()] }, reason: 'probe', transform: { kind: 'jsonata', expression: '$' } }, 'transform'],
      [{ action: 'discard', selection: { filter: { status: 'discarded' } }, reason: 'probe', dryRun: true }, 'selection.filter.status'],
    ];
    for (const [body, field] of cases) {
      const res = await call(h.bulk, 'POST', '/api/x', { headers: env.tokens.admin, body });
      expect(res.status, field).toBe(400);
      expect((await envelope(res)).details, field).toEqual([{ field, message: expect.any(String) }]);
    }
  });

  it('an unknown field inside a body (a misspelt filter, an extra target field, an extra rate field) -> 400 naming it, nothing done', async () => {
    const before = await env.db.pool.query(`SELECT status, republish_count FROM dead_letters WHERE id = $1`, [seeded.id]);
    const cases: [string, string, Record<string, string>, object, string][] = [
      // a misspelt filter field used to select every pending dead letter
      [
        'bulk',
        'POST',
        {},
        { action: 'discard', selection: { filter: { evenType: 'user.created' } }, reason: 'probe', dryRun: true },
        'selection.filter.evenType',
      ],
      ['bulk', 'POST', {}, { action: 'discard', selection: { filter: { limit: 50 } }, reason: 'probe', dryRun: true }, 'selection.filter.limit'],
      ['republish', 'POST', { id: seeded.id }, { target: { kind: 'origin', extra: 1 }, reason: 'probe' }, 'target.extra'],
      [
        'republish',
        'POST',
        { id: seeded.id },
        { target: { kind: 'exchange', exchange: 'edu.events', routingKey: 'x', extra: 1 }, reason: 'probe' },
        'target.extra',
      ],
      ['channelPatch', 'PATCH', { id: randomUUID() }, { rate: { count: 1, minutes: 1, x: 1 } }, 'rate.x'],
      // routes that take no fields: a field is refused, not ignored
      ['pause', 'POST', { id: randomUUID() }, { x: 1 }, 'x'],
      ['resume', 'POST', { id: randomUUID() }, { reason: 'r' }, 'reason'],
      ['cancel', 'POST', { id: randomUUID() }, { force: true }, 'force'],
      ['channelTest', 'POST', { id: randomUUID() }, { x: 1 }, 'x'],
      ['tokenDelete', 'DELETE', { id: randomUUID() }, { x: 1 }, 'x'],
    ];
    for (const [route, method, params, body, field] of cases) {
      const res = await call(h[route], method, '/api/x', { headers: env.tokens.admin, params, body });
      expect(res.status, `${route} ${field}`).toBe(400);
      expect((await envelope(res)).details, field).toEqual(expect.arrayContaining([{ field, message: 'unknown field' }]));
    }
    expect((await env.db.pool.query(`SELECT status, republish_count FROM dead_letters WHERE id = $1`, [seeded.id])).rows).toEqual(before.rows);
  });
});

describe('params', () => {
  for (const route of ['detail', 'bulkGet', 'pause', 'discard', 'restore', 'retry', 'userPatch', 'tokenDelete', 'groupGet', 'groupPatch', 'groupNote']) {
    it(`${route}: any :id -> never 500`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileText, async (id) => {
          const get = route === 'detail' || route === 'bulkGet' || route === 'groupGet';
          const method = get ? 'GET' : route === 'userPatch' || route === 'groupPatch' ? 'PATCH' : route === 'tokenDelete' ? 'DELETE' : 'POST';
          const res = await call(h[route], method, '/api/x', {
            headers: env.tokens.admin,
            params: { id },
            body: get ? undefined : { reason: 'fuzz', role: 'viewer', status: 'acknowledged', text: 'fuzz' },
          });
          await expectNo500(res, `${route} id=${JSON.stringify(id)}`);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

const bodyShapes: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  bulk: fc.record(
    {
      action: fc.oneof(fc.constantFrom('republish', 'discard'), hostileValue),
      selection: fc.oneof(
        fc.record({ ids: fc.oneof(fc.array(fc.oneof(fc.uuid(), hostileText), { maxLength: 3 }), hostileValue) }),
        fc.record({ groupId: hostileValue }),
        fc.record({ filter: fc.dictionary(fc.constantFrom(...queryFields.facets), hostileValue, { maxKeys: 3 }) }),
        hostileValue,
      ),
      reason: hostileValue,
      dryRun: fc.oneof(fc.constant(true), hostileValue),
      ratePerSecond: hostileValue,
      expectedCount: hostileValue,
      force: hostileValue,
      transform: fc.oneof(
        fc.record({
          kind: fc.oneof(fc.constant('patch'), hostileValue),
          operations: fc.oneof(
            fc.array(
              fc.record(
                {
                  op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), hostileValue),
                  path: fc.oneof(fc.constantFrom('/data/totalAmount', '/eventId', '', '/a~2b', '/__proto__/x'), hostileText),
                  from: fc.oneof(fc.constantFrom('/data', '/data/x'), hostileValue),
                  value: hostileValue,
                },
                { requiredKeys: ['op', 'path'] },
              ),
              { maxLength: 3 },
            ),
            hostileValue,
          ),
        }),
        fc.record({
          kind: fc.oneof(fc.constant('jsonata'), hostileValue),
          expression: fc.oneof(
            fc.constantFrom('$', '$ ~> | data | {"x": 1} |', '$$$', '($f := function($x) { $f($x) }; $f(0))', '{', '$string($)'),
            hostileText,
            hostileValue,
          ),
        }),
        hostileValue,
      ),
      startAt: fc.oneof(fc.constantFrom('2026-12-05T10:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', 'tomorrow'), hostileValue),
    },
    { requiredKeys: ['action', 'selection', 'dryRun'] },
  ),
  republish: fc.record(
    {
      body: fc.oneof(hostileText, fc.constant('['.repeat(2000) + ']'.repeat(2000)), hostileValue),
      target: fc.oneof(fc.record({ kind: fc.constantFrom('origin', 'exchange', 'x'), exchange: hostileValue, routingKey: hostileValue }), hostileValue),
      reason: hostileValue,
      force: hostileValue,
    },
    { requiredKeys: [] },
  ),
  discard: fc.record({ reason: hostileValue }, { requiredKeys: [] }),
  restore: fc.record({ reason: hostileValue }, { requiredKeys: [] }),
  retry: fc.record({ reason: hostileValue }, { requiredKeys: [] }),
  users: fc.record(
    { email: hostileValue, name: hostileValue, role: fc.oneof(fc.constant('viewer'), hostileValue), password: hostileValue },
    { requiredKeys: [] },
  ),
  userPatch: fc.record({ role: hostileValue, status: hostileValue, resetPassword: hostileValue }, { requiredKeys: [] }),
  tokens: fc.record({ name: hostileValue, role: fc.oneof(fc.constant('viewer'), hostileValue) }, { requiredKeys: [] }),
  groupPatch: fc.record(
    {
      status: fc.oneof(fc.constantFrom('open', 'acknowledged', 'snoozed', 'resolved'), hostileValue),
      assigneeId: fc.oneof(fc.constantFrom('me', null, '00000000-0000-0000-0000-000000000000'), fc.uuid(), hostileValue),
      snoozedUntil: fc.oneof(
        fc.constantFrom('2020-01-01T00:00:00Z', '9999-12-31T23:59:59Z', new Date(Date.now() + 3_600_000).toISOString(), 'tomorrow'),
        hostileValue,
      ),
      reason: hostileValue,
    },
    { requiredKeys: [] },
  ),
  groupNote: fc.record({ text: fc.oneof(fc.constantFrom('x'.repeat(10_001), '# title\n*md*', '  '), hostileValue) }, { requiredKeys: [] }),
  channels: channelShape(['kind', 'name', 'url', 'events']),
  channelPatch: channelShape([]),
};
const bodyMethod = (route: string) => (route.endsWith('Patch') ? 'PATCH' : 'POST');

/** a notification channel (POST /api/notifications/channels, PATCH .../:id): near-valid and hostile */
function channelShape(requiredKeys: ('kind' | 'name' | 'url' | 'events')[]) {
  const url = fc.oneof(
    fc.constantFrom(
      'http://127.0.0.1:9/hook',
      'https://hooks.example/x',
      'ftp://x/y',
      'javascript:alert(1)',
      'http://u:p@h/x',
      'http://',
      '//x',
      'http://[::1',
      'file:///etc/passwd',
    ),
    hostileValue,
  );
  const event = fc.oneof(fc.constantFrom('group.new', 'dlq.rate', 'test', 'nope'), hostileValue);
  return fc.record(
    {
      kind: fc.oneof(fc.constantFrom('webhook', 'slack'), hostileValue),
      name: fc.oneof(fc.constant('hook'), hostileValue),
      url,
      events: fc.oneof(fc.array(event, { maxLength: 8 }), hostileValue),
      eventTypes: fc.oneof(fc.array(hostileText, { maxLength: 3 }), hostileValue),
      rate: fc.oneof(fc.record({ count: hostileNumber, minutes: hostileNumber }), hostileValue),
      drainStoppedSeconds: fc.oneof(hostileNumber, hostileValue),
      enabled: fc.oneof(fc.boolean(), hostileValue),
    },
    { requiredKeys },
  );
}

describe('body schemas', () => {
  for (const [route, shape] of Object.entries(bodyShapes)) {
    it(`${route}: any body -> never 500`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: shape }, { weight: 1, arbitrary: hostileValue }), fc.boolean(), async (body, onSeeded) => {
          const id = route.startsWith('group') ? (onSeeded ? seeded.groupId : '0123456789abcdef') : onSeeded ? seeded.id : randomUUID();
          const res = await call(h[route], bodyMethod(route), '/api/x', {
            headers: env.tokens.admin,
            params: { id },
            body: body as object,
          });
          await expectNo500(res, `${route} ${JSON.stringify(body)?.slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('a body nested 100,000 levels deep -> 400 on every body route', async () => {
    const text = '{"reason":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    for (const route of Object.keys(bodyShapes)) {
      const res = await call(h[route], bodyMethod(route), '/api/x', {
        headers: { ...env.tokens.admin, 'content-type': 'application/json' },
        params: { id: route.startsWith('group') ? seeded.groupId : seeded.id },
        body: text,
      });
      expect(res.status, route).toBe(400);
      await envelope(res);
    }
  });
});

describe("next-auth's route guard", () => {
  // NextAuth itself needs Next's request context; its guard is what decides 4xx for bad fields
  it('any query, form or callback-url cookie: passes through or a 4xx ApiError, nothing else', async () => {
    const fields = ['callbackUrl', 'email', 'password', 'csrfToken', 'json', 'redirect', 'error', 'x\u0000'];
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...fields), hostileText, { maxKeys: 4 }),
        fc.dictionary(fc.constantFrom(...fields), hostileText, { maxKeys: 4 }),
        fc.option(hostileText),
        async (query, form, cookie) => {
          const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
          if (cookie !== null) headers.cookie = `next-auth.callback-url=${encodeURIComponent(cookie.replace(/[\ud800-\udfff]/g, ''))}`;
          const request = new Request(`http://127.0.0.1/api/auth/callback/credentials?${new URLSearchParams(query)}`, {
            method: 'POST',
            headers,
            body: new URLSearchParams(form).toString(),
          });
          try {
            await guardAuthRequest(request);
          } catch (err) {
            expect(err).toBeInstanceOf(ApiError);
            expect((err as ApiError).status).toBeGreaterThanOrEqual(400);
            expect((err as ApiError).status).toBeLessThan(500);
          }
        },
      ),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('path ids', () => {
  it('an upper-case UUID names the record in its lower-case form, in the answer and the audit line', async () => {
    const own = await seedDeadLetter(env.db.pool, {});
    const res = await call(h.discard, 'POST', '/api/x', { headers: env.tokens.admin, params: { id: own.id.toUpperCase() }, body: { reason: 'probe' } });
    expect(res.status).toBe(200);
    expect((await res.json()).id).toBe(own.id);
    const { rows } = await env.db.pool.query(`SELECT "target" FROM "audit_log" WHERE "action" = 'discard' AND lower("target") = $1`, [`dead-letter:${own.id}`]);
    expect(rows).toEqual([{ target: `dead-letter:${own.id}` }]);
  });
});

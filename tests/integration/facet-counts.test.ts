// GET /api/dead-letters/facets counts what its links show: for every filter combination, each
// facet value's count equals the number of rows GET /api/dead-letters returns (paged through) with
// that value added to the filters, and each facet's counts add up to the list without the facet's
// own filter. Fixed combinations (the reported ones: type and validity under a group filter,
// "discarded" under other filters) and a fast-check property over random combinations.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterList, Facets } from '@/lib/schemas/dead-letters';
import { call, routeEnv, type Handler, type RouteEnv } from './route-handlers';
import { seedDeadLetter, type Seeded } from './triage-seed';

let env: RouteEnv;
const routes = {} as Record<'list' | 'facets', Handler>;
const seeded: Seeded[] = [];
const base = Date.parse('2026-11-20T12:00:00.000Z');
const at = (minutes: number) => new Date(base + minutes * 60_000);

type Filters = Partial<Record<'eventType' | 'queue' | 'reason' | 'status' | 'validity' | 'groupId' | 'correlationId' | 'q' | 'from' | 'to', string>>;
const DIMS = ['eventType', 'queue', 'reason', 'status', 'validity'] as const;

const qs = (f: Filters) => new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => e[1] !== undefined)).toString();

async function listCount(f: Filters): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const res = await call(routes.list, 'GET', `/api/dead-letters?limit=250&${qs(f)}${cursor ? `&cursor=${cursor}` : ''}`, { headers: env.tokens.viewer });
    expect(res.status).toBe(200);
    const page = (await res.json()) as DeadLetterList;
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

async function facets(f: Filters): Promise<Facets> {
  const res = await call(routes.facets, 'GET', `/api/dead-letters/facets?${qs(f)}`, { headers: env.tokens.viewer });
  expect(res.status).toBe(200);
  return (await res.json()) as Facets;
}

/** every facet value's count against the list with that value added; each facet's sum against the list without its own filter */
async function checkEquality(f: Filters): Promise<void> {
  const got = await facets(f);
  for (const dim of DIMS) {
    const others = { ...f, [dim]: undefined };
    let sum = 0;
    for (const v of got.facets[dim]) {
      expect(v.count, `${dim}=${v.value} with ${qs(f)}`).toBe(await listCount({ ...others, [dim]: v.value }));
      sum += v.count;
    }
    expect(sum, `${dim} sums to the list without its own filter (${qs(f)})`).toBe(await listCount(others));
  }
}

beforeAll(async () => {
  env = await routeEnv('facetcounts');
  routes.list = (await import('@/app/api/dead-letters/route')).GET;
  routes.facets = (await import('@/app/api/dead-letters/facets/route')).GET;
  const types = ['user.created', 'order.placed', null];
  const queues = ['billing-service', 'notification-service', 'search-indexer'];
  const reasons = ['rejected', 'expired', null];
  const statuses = ['pending', 'pending', 'republished', 'discarded'] as const;
  const validities = ['valid', 'invalid', 'unknown-type'];
  const errors = ['timeout talking to ledger', 'card declined', 'schema mismatch'];
  for (let i = 0; i < 72; i++) {
    seeded.push(
      await seedDeadLetter(env.db.pool, {
        eventType: types[i % 3],
        queue: queues[Math.floor(i / 3) % 3],
        reason: reasons[Math.floor(i / 9) % 3],
        status: statuses[i % 4],
        validationStatus: validities[Math.floor(i / 2) % 3],
        errorMessage: errors[Math.floor(i / 5) % 3],
        correlationId: i % 6 === 0 ? 'corr-a' : i % 6 === 1 ? 'corr-b' : null,
        lastFailedAt: at(i),
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await env?.db.drop();
});

describe('facet counts equal the rows their links show', () => {
  it.each<[string, () => Filters]>([
    ['no filter', () => ({})],
    ['a group (type and validity facets used to ignore it)', () => ({ groupId: seeded[0].groupId })],
    ['another group and a status', () => ({ groupId: seeded[7].groupId, status: 'discarded' })],
    ['a type and a queue', () => ({ eventType: 'order.placed', queue: 'billing-service' })],
    ['a validity (status "discarded" used to open an empty list)', () => ({ validity: 'invalid' })],
    ['search and a time range', () => ({ q: 'declined', from: at(10).toISOString(), to: at(60).toISOString() })],
    ['a correlation id and a missing reason', () => ({ correlationId: 'corr-a', reason: '(none)' })],
    ['an unknown type', () => ({ eventType: '(unknown)' })],
  ])('%s', async (_name, filters) => {
    await checkEquality(filters());
  });

  it('random filter combinations (fast-check)', async () => {
    const filters = fc
      .record(
        {
          eventType: fc.constantFrom('user.created', 'order.placed', '(unknown)'),
          queue: fc.constantFrom('billing-service', 'notification-service', 'search-indexer'),
          reason: fc.constantFrom('rejected', 'expired', '(none)', 'maxlen'),
          status: fc.constantFrom('pending', 'republished', 'discarded'),
          validity: fc.constantFrom('valid', 'invalid', 'unknown-type'),
          groupId: fc.integer({ min: 0, max: 71 }).map((i) => seeded[i].groupId),
          correlationId: fc.constantFrom('corr-a', 'corr-b'),
          q: fc.constantFrom('timeout', 'declined', 'schema'),
          from: fc.integer({ min: 0, max: 71 }).map((i) => at(i).toISOString()),
          to: fc.integer({ min: 0, max: 72 }).map((i) => at(i).toISOString()),
        },
        { requiredKeys: [] },
      )
      // an empty range (to not after from) is a 400 (tests/integration/bad-input.test.ts)
      .filter((f) => !(f.from && f.to && f.from >= f.to));
    await fc.assert(
      fc.asyncProperty(filters, async (f) => {
        await checkEquality(f);
      }),
      { numRuns: Number(process.env.FACET_RUNS ?? 30) },
    );
  }, 300_000);
});

// Triage read queries (lib/server/dead-letters, lib/server/groups) against a real PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedDeadLetter, type Seeded } from './triage-seed';
import { createPrismaClient } from '@/lib/server/db';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { FULL_TEXT_SEARCH } from '@/lib/server/dead-letters/dead-letter-where';
import { listDeadLetters } from '@/lib/server/dead-letters/list-dead-letters';
import { getDeadLetter } from '@/lib/server/dead-letters/get-dead-letter';
import { countFacets } from '@/lib/server/dead-letters/count-facets';
import { listGroups } from '@/lib/server/groups/list-groups';
import { deadLetterListQuerySchema, type DeadLetterListParams } from '@/lib/schemas/dead-letters';
import { groupListQuerySchema } from '@/lib/schemas/groups';
import { groupId, groupKey } from '@/lib/groups/signature';

let db: TestDatabase;
let prisma: PrismaClient;
const base = Date.parse('2026-11-20T12:00:00.000Z');
const at = (minutes: number) => new Date(base + minutes * 60_000);
const seeded: Seeded[] = [];

const list = (params: DeadLetterListParams = {}) => listDeadLetters(deadLetterListQuerySchema.parse(params), FULL_TEXT_SEARCH, prisma);

beforeAll(async () => {
  db = await createTestDatabase('triageq');
  prisma = createPrismaClient(db.url, 4);
  // 40 dead letters with every attribute varying on its own cycle, one minute apart
  const types = ['user.created', 'course.enrolled', 'payment.failed', 'grade.posted'];
  const queues = ['notification-service', 'analytics-service', 'billing-service'];
  const reasons = ['rejected', 'expired', 'maxlen', 'delivery_limit'] as const;
  const validity = ['valid', 'invalid', 'unparseable', 'unknown-type', 'unsupported-version'];
  for (let i = 0; i < 40; i++) {
    seeded.push(
      await seedDeadLetter(db.pool, {
        eventType: types[i % 4],
        queue: queues[i % 3],
        reason: reasons[i % 4],
        status: i % 10 === 0 ? 'discarded' : i % 7 === 0 ? 'republished' : 'pending',
        validationStatus: validity[i % 5],
        errorMessage: i === 13 ? 'Quokka exploded while sending mail' : `Timeout after ${1000 + i} ms for user ${randomUUID()}`,
        correlationId: i < 3 ? 'corr-shared-1' : `corr-${i}`,
        lastFailedAt: at(i),
        body: { eventId: randomUUID(), eventType: types[i % 4], data: { note: i === 21 ? 'zebracorn appears in the body' : 'plain' } },
      }),
    );
  }
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe('dead-letter list', () => {
  it('lists newest first with the interface fields', async () => {
    const page = await list();
    expect(page.items).toHaveLength(40);
    expect(page.items[0].id).toBe(seeded[39].id);
    expect(page.items.map((d) => d.lastFailedAt)).toEqual([...page.items.map((d) => d.lastFailedAt)].sort().reverse());
    expect(Object.keys(page.items[0])).toEqual(
      expect.arrayContaining([
        'id',
        'eventId',
        'eventType',
        'version',
        'routingKey',
        'queue',
        'reason',
        'status',
        'attempts',
        'republishCount',
        'firstFailedAt',
        'lastFailedAt',
        'errorMessage',
        'valid',
        'groupId',
      ]),
    );
    expect(page.nextCursor).toBeNull();
    expect(page.prevCursor).toBeNull();
  });

  it.each([
    ['eventType', 'payment.failed', (d: { eventType: string | null }) => d.eventType === 'payment.failed', 10],
    ['queue', 'billing-service', (d: { queue: string }) => d.queue === 'billing-service', 13],
    ['reason', 'maxlen', (d: { reason: string | null }) => d.reason === 'maxlen', 10],
    ['status', 'discarded', (d: { status: string }) => d.status === 'discarded', 4],
    ['validity', 'unknown-type', (d: { validationStatus: string }) => d.validationStatus === 'unknown-type', 8],
    ['correlationId', 'corr-shared-1', (d: { correlationId: string | null }) => d.correlationId === 'corr-shared-1', 3],
  ] as const)('filters by %s', async (field, value, match, expected) => {
    const page = await list({ [field]: value });
    expect(page.items).toHaveLength(expected);
    expect(page.items.every(match as (d: unknown) => boolean)).toBe(true);
  });

  it('filters by status pending', async () => {
    const page = await list({ status: 'pending' });
    expect(page.items.length).toBe(40 - 4 - 5);
    expect(page.items.every((d) => d.status === 'pending')).toBe(true);
  });

  it('pages through a status filter both ways, alone and with other filters (the status order table)', async () => {
    const statusOf = (i: number) => (i % 10 === 0 ? 'discarded' : i % 7 === 0 ? 'republished' : 'pending');
    const cases = [
      { params: { status: 'pending' }, match: (i: number) => statusOf(i) === 'pending' },
      { params: { status: 'republished' }, match: (i: number) => statusOf(i) === 'republished' },
      { params: { status: 'pending', queue: 'billing-service' }, match: (i: number) => statusOf(i) === 'pending' && i % 3 === 2 },
      {
        params: { status: 'pending', from: at(5).toISOString(), to: at(30).toISOString() },
        match: (i: number) => statusOf(i) === 'pending' && i >= 5 && i < 30,
      },
    ] as const;
    for (const { params, match } of cases) {
      const expected = seeded
        .map((s, i) => ({ id: s.id, i }))
        .filter(({ i }) => match(i))
        .reverse()
        .map((s) => s.id);
      expect(expected.length, JSON.stringify(params)).toBeGreaterThan(1);
      // 3 a page (below the API's smallest), so that every case spans several pages
      const page = (cursor?: string) => listDeadLetters({ ...deadLetterListQuerySchema.parse({ ...params, cursor }), limit: 3 }, FULL_TEXT_SEARCH, prisma);
      const pages = [await page()];
      while (pages.at(-1)!.nextCursor) pages.push(await page(pages.at(-1)!.nextCursor!));
      expect(
        pages.flatMap((p) => p.items.map((d) => d.id)),
        `forward ${JSON.stringify(params)}`,
      ).toEqual(expected);
      const back = [pages.at(-1)!];
      while (back.at(-1)!.prevCursor) back.push(await page(back.at(-1)!.prevCursor!));
      expect(
        back.reverse().flatMap((p) => p.items.map((d) => d.id)),
        `back ${JSON.stringify(params)}`,
      ).toEqual(expected);
    }
  });

  it('filters by group id', async () => {
    const target = seeded[13];
    const page = await list({ groupId: target.groupId });
    expect(page.items.map((d) => d.id)).toEqual([target.id]);
  });

  it('filters by time range (from inclusive, to exclusive)', async () => {
    const page = await list({ from: at(10).toISOString(), to: at(20).toISOString() });
    expect(page.items.map((d) => d.id)).toEqual(
      seeded
        .slice(10, 20)
        .map((s) => s.id)
        .reverse(),
    );
  });

  it('combines filters', async () => {
    const page = await list({ eventType: 'user.created', queue: 'notification-service' });
    // i % 4 == 0 and i % 3 == 0 -> i % 12 == 0: 0, 12, 24, 36
    expect(page.items.map((d) => d.id).sort()).toEqual([0, 12, 24, 36].map((i) => seeded[i].id).sort());
  });

  it('a common term with a filter walks a bounded number of rows per page and pages on to every hit, both ways', async () => {
    const params = { q: 'timeout', eventType: 'course.enrolled' };
    const exact = (await list(params)).items.map((d) => d.id); // 39 of 40 rows say "Timeout": found by walking, unbounded here
    expect(exact).toHaveLength(9); // course.enrolled is every 4th row; row 13 (the quokka) has no timeout
    for (const searchWalk of [3, 1]) {
      const limits = { rareTermHits: 5, searchWalk };
      const page = (cursor?: string) => listDeadLetters(deadLetterListQuerySchema.parse({ ...params, cursor }), FULL_TEXT_SEARCH, prisma, limits);
      const pages = [await page()];
      while (pages.at(-1)!.nextCursor) pages.push(await page(pages.at(-1)!.nextCursor!));
      expect(
        pages.flatMap((p) => p.items.map((d) => d.id)),
        `walk ${searchWalk} forward`,
      ).toEqual(exact);
      expect(pages[0].searchedRows).toBe(searchWalk);
      expect(pages[0].items.length).toBeLessThanOrEqual(searchWalk);
      if (searchWalk === 1)
        expect(
          pages.some((p) => p.items.length === 0 && p.nextCursor),
          'an empty page that pages on',
        ).toBe(true);
      // and back from the last page to the first
      const back = [pages.at(-1)!];
      while (back.at(-1)!.prevCursor) back.push(await page(back.at(-1)!.prevCursor!));
      expect(
        back.reverse().flatMap((p) => p.items.map((d) => d.id)),
        `walk ${searchWalk} back`,
      ).toEqual(exact);
    }
  });

  it('searches the error message and the body', async () => {
    expect((await list({ q: 'quokka' })).items.map((d) => d.id)).toEqual([seeded[13].id]);
    expect((await list({ q: 'zebracorn' })).items.map((d) => d.id)).toEqual([seeded[21].id]);
    expect((await list({ q: 'exploded sending' })).items.map((d) => d.id)).toEqual([seeded[13].id]);
    expect((await list({ q: 'nothing-like-this-anywhere' })).items).toEqual([]);
    expect((await list({ q: 'timeout', eventType: 'user.created' })).items).toHaveLength(10);
    // quoted phrases match as written; words in another order do not
    expect((await list({ q: '"exploded while sending"' })).items.map((d) => d.id)).toEqual([seeded[13].id]);
    expect((await list({ q: '"sending while exploded"' })).items).toEqual([]);
    expect((await list({ q: '"quokka exploded" -zebracorn' })).items.map((d) => d.id)).toEqual([seeded[13].id]);
    expect((await list({ q: '"50%_off\\"' })).items).toEqual([]);
  });

  it('pages by keyset and stays stable while newer dead letters arrive', async () => {
    const all = (await list({ limit: 250 })).items.map((d) => d.id);
    const db2 = await createTestDatabase('triagec');
    const p2 = createPrismaClient(db2.url, 2);
    try {
      const rows: Seeded[] = [];
      for (let i = 0; i < 120; i++) rows.push(await seedDeadLetter(db2.pool, { lastFailedAt: at(i) }));
      // two rows with the same timestamp: the id breaks the tie, nothing is skipped
      rows.push(await seedDeadLetter(db2.pool, { lastFailedAt: at(60) }));
      const q = (p: DeadLetterListParams) => listDeadLetters(deadLetterListQuerySchema.parse(p), FULL_TEXT_SEARCH, p2);
      const expected = (await q({ limit: 250 })).items.map((d) => d.id);
      expect(expected).toHaveLength(121);

      const page1 = await q({ limit: 50 });
      expect(page1.items.map((d) => d.id)).toEqual(expected.slice(0, 50));
      expect(page1.prevCursor).toBeNull();
      // newer rows arrive between the pages
      for (let i = 0; i < 7; i++) await seedDeadLetter(db2.pool, { lastFailedAt: at(500 + i) });
      const page2 = await q({ limit: 50, cursor: page1.nextCursor! });
      expect(page2.items.map((d) => d.id)).toEqual(expected.slice(50, 100));
      const page3 = await q({ limit: 50, cursor: page2.nextCursor! });
      expect(page3.items.map((d) => d.id)).toEqual(expected.slice(100));
      expect(page3.nextCursor).toBeNull();
      // previous from page 2 gives page 1 again, and says there is something newer (the 7)
      const back = await q({ limit: 50, cursor: page2.prevCursor! });
      expect(back.items.map((d) => d.id)).toEqual(expected.slice(0, 50));
      expect(back.prevCursor).not.toBeNull();
      const top = await q({ limit: 50, cursor: back.prevCursor! });
      expect(top.items).toHaveLength(7);
      expect(top.prevCursor).toBeNull();
    } finally {
      await p2.$disconnect();
      await db2.drop();
    }
    expect(all).toHaveLength(40);
  });

  it('rejects a forged cursor with 400 naming the field', async () => {
    await expect(list({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'invalid_request', details: [{ field: 'cursor' }] });
  });
});

describe('failure groups', () => {
  it('puts two messages differing only in ids into one group', async () => {
    const a = await seedDeadLetter(db.pool, {
      eventType: 'enrolment.created',
      queue: 'grading-service',
      reason: 'rejected',
      lastFailedAt: at(100),
      errorMessage: `Student 48213 not found in course 7f3c2a10-1111-4e2b-9c3d-0123456789ab at 2026-11-20T12:00:01Z`,
    });
    const b = await seedDeadLetter(db.pool, {
      eventType: 'enrolment.created',
      queue: 'grading-service',
      reason: 'rejected',
      lastFailedAt: at(101),
      errorMessage: `Student 991 not found in course 0a1b2c3d-2222-4e2b-9c3d-ba9876543210 at 2026-11-21T08:30:00Z`,
    });
    expect(a.groupId).toBe(b.groupId);
    const other = groupId(groupKey({ eventType: 'enrolment.created', queue: 'grading-service', reason: 'rejected', errorMessage: 'Course closed' }));
    expect(other).not.toBe(a.groupId);

    const groups = await listGroups(groupListQuerySchema.parse({ eventType: 'enrolment.created' }), prisma, at(102));
    expect(groups.items).toHaveLength(1);
    const g = groups.items[0];
    expect(g).toMatchObject({ id: a.groupId, count: 2, pendingCount: 2, queue: 'grading-service', reason: 'rejected' });
    expect(g.signature).toBe('Student <n> not found in course <uuid> at <ts>');
    expect(g.hourly).toHaveLength(24);
    expect(g.hourly.reduce((s, n) => s + n, 0)).toBe(2);
    expect(g.hourly[23]).toBe(2); // both died in the hour of "now" (at(102))
    expect((await list({ groupId: a.groupId })).items.map((d) => d.id)).toEqual([b.id, a.id]);
  });

  it('sorts groups by count', async () => {
    const groups = await listGroups(groupListQuerySchema.parse({ sort: 'count' }), prisma);
    const counts = groups.items.map((g) => g.count);
    expect(counts).toEqual([...counts].sort((x, y) => y - x));
  });
});

describe('facets', () => {
  it('counts per value, honouring the other filters', async () => {
    const all = await countFacets({}, FULL_TEXT_SEARCH, prisma);
    const sum = (vs: { count: number }[]) => vs.reduce((s, v) => s + v.count, 0);
    expect(all.total).toBe(sum(all.facets.eventType));
    expect(all.facets.eventType.find((v) => v.value === 'payment.failed')?.count).toBe(10);
    expect(all.facets.validity.find((v) => v.value === 'unknown-type')).toMatchObject({ count: 8, capped: false });
    expect(all.facets.status.find((v) => v.value === 'discarded')?.count).toBe(4);

    const billing = await countFacets({ queue: 'billing-service' }, FULL_TEXT_SEARCH, prisma);
    expect(sum(billing.facets.eventType)).toBe(13);
    // a facet ignores its own filter, so every queue stays visible
    expect(billing.facets.queue.length).toBeGreaterThanOrEqual(3);
    const pendingBilling = await countFacets({ queue: 'billing-service', status: 'pending' }, FULL_TEXT_SEARCH, prisma);
    expect(pendingBilling.facets.status.find((v) => v.value === 'pending')).toMatchObject({
      value: 'pending',
      count: (await list({ queue: 'billing-service', status: 'pending' })).items.length,
    });
    expect(pendingBilling.ignoredFilters).toEqual([]);
  });
});

describe('dead-letter detail', () => {
  it('returns a JSON dead letter with its message, validation and history', async () => {
    const s = await seedDeadLetter(db.pool, {
      body: { eventId: 'e-1', data: { email: 'not-an-email' } },
      validationStatus: 'invalid',
      violations: [{ path: '$.data.email', message: 'Invalid email address' }],
      properties: { contentType: 'application/json', timestamp: { $timestamp: 1764000000 } },
      headers: { 'x-correlation-id': 'c-9', 'x-raw': { $bytes: 'AAEC' } },
      history: [
        { action: 'dead-lettered', actor: 'drain', at: at(0) },
        { action: 'republished', actor: 'ops@example.com', reason: 'fixed mapping', at: at(1) },
      ],
      lastFailedAt: at(200),
    });
    const d = await getDeadLetter(s.id, prisma);
    expect(d.body.encoding).toBe('utf8');
    expect(JSON.parse(d.body.data.text())).toEqual({ eventId: 'e-1', data: { email: 'not-an-email' } });
    expect(d.body.sizeBytes).toBe(Buffer.byteLength(d.body.data.text()));
    expect(d.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.validation).toEqual({ status: 'invalid', violations: [{ path: '$.data.email', message: 'Invalid email address' }] });
    expect(d.headers).toEqual({ 'x-correlation-id': 'c-9', 'x-raw': { $bytes: 'AAEC' } });
    expect(d.properties.timestamp).toEqual({ $timestamp: 1764000000 });
    expect(d.deaths[0]).toMatchObject({ queue: 'notification-service', reason: 'rejected', count: 1, routingKeys: ['user.created'] });
    expect(d.history.map((h) => h.action)).toEqual(['dead-lettered', 'republished']);
    expect(d.history[1]).toMatchObject({ actor: 'ops@example.com', reason: 'fixed mapping' });
  });

  it('returns binary bodies as base64 with the sha256 of the exact bytes', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x41]);
    const s = await seedDeadLetter(db.pool, { body: bytes, validationStatus: 'unparseable', contentType: 'application/octet-stream' });
    const d = await getDeadLetter(s.id, prisma);
    expect({ ...d.body, data: d.body.data.text() }).toEqual({
      encoding: 'base64',
      data: bytes.toString('base64'),
      sizeBytes: 5,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('404s an unknown or malformed id', async () => {
    await expect(getDeadLetter(randomUUID(), prisma)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getDeadLetter('not-a-uuid', prisma)).rejects.toMatchObject({ code: 'not_found' });
  });
});

// Idempotency: the same event delivered twice runs the handler once per service, with the
// store in memory or in PostgreSQL (shared by two instances of the service).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore, type IdempotencyStore } from '@/lib/platform/idempotency';
import { PgIdempotencyStore } from '@/lib/platform/idempotency-pg';
import { subscribe, type Subscription } from '@/lib/platform/subscribe';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { depth, makeEvent, platformFixture, silent, waitFor, type PlatformFixture } from './platform-fixture';

let f: PlatformFixture;
let db: TestDatabase;
const subs: Subscription[] = [];

beforeAll(async () => {
  f = await platformFixture();
  db = await createTestDatabase('platidem');
});
afterAll(async () => {
  for (const s of subs) await s.close();
  await f?.cleanup();
  await db?.drop();
});

const DELAYS = [100, 200, 400];
const base = () => ({ connection: f.broker.connection, exchange: f.exchange, logger: silent, retryDelaysMs: DELAYS });

/** Subscribes `service` to progress.updated with `store`: the event ids it handles, and those it skips as duplicates. */
async function watchProgress(service: string, store: IdempotencyStore): Promise<{ handled: string[]; duplicates: string[] }> {
  const handled: string[] = [];
  const duplicates: string[] = [];
  subs.push(
    await subscribe(
      service,
      { 'progress.updated': async (e) => void handled.push(e.eventId) },
      { ...base(), idempotency: store, onOutcome: (o) => o.outcome === 'duplicate' && duplicates.push(o.eventId!) },
    ),
  );
  return { handled, duplicates };
}

describe('idempotency', () => {
  it('runs the handler once when the same event is delivered twice (memory store)', async () => {
    const service = f.service('idem.mem', DELAYS);
    const { handled, duplicates } = await watchProgress(service, new MemoryIdempotencyStore());
    const event = makeEvent('progress.updated');
    await f.publisher.publish(event);
    await f.publisher.publish(event);
    await waitFor(() => handled.length + duplicates.length >= 2, 10_000, 'two deliveries');
    expect(handled).toEqual([event.eventId]);
    expect(duplicates).toEqual([event.eventId]);
    expect(await depth(f.broker, f.dlq)).toBe(0);
  });

  it('takes an event id in upper and in lower case for one event (UUIDs are case-insensitive)', async () => {
    const service = f.service('idem.case', DELAYS);
    const { handled, duplicates } = await watchProgress(service, new PgIdempotencyStore(db.pool));
    const event = makeEvent('progress.updated');
    const upper = String(event.eventId).toUpperCase();
    await f.publisher.publish({ ...event, eventId: upper });
    await waitFor(() => handled.length >= 1, 10_000, 'the first delivery');
    await f.publisher.publish(event);
    await waitFor(() => handled.length + duplicates.length >= 2, 10_000, 'two deliveries');
    expect(handled).toEqual([upper]);
    expect(duplicates).toEqual([event.eventId]);
    const rows = await db.pool.query('SELECT event_id, status FROM platform_processed_events WHERE service = $1', [service]);
    expect(rows.rows).toEqual([{ event_id: event.eventId, status: 'done' }]);
  });

  it('an event handled before ids were lower-cased stays handled: the migration lower-cases the stored ids', async () => {
    const service = f.service('idem.legacy', DELAYS);
    const event = makeEvent('progress.updated');
    const upper = String(event.eventId).toUpperCase();
    // as the store wrote it before: the id as sent, and a stale claim of the same id in lower case
    await db.pool.query(
      `INSERT INTO platform_processed_events (service, event_id, status, completed_at) VALUES ($1, $2, 'done', now()), ($1, $3, 'processing', NULL)`,
      [service, upper, event.eventId],
    );
    await db.pool.query(readFileSync(path.join(process.cwd(), 'prisma/migrations/20261216010000_idempotency_lower_case_ids/migration.sql'), 'utf8'));
    const rows = await db.pool.query('SELECT event_id, status FROM platform_processed_events WHERE service = $1', [service]);
    expect(rows.rows).toEqual([{ event_id: event.eventId, status: 'done' }]);
    const { handled, duplicates } = await watchProgress(service, new PgIdempotencyStore(db.pool));
    await f.publisher.publish({ ...event, eventId: upper });
    await waitFor(() => duplicates.length >= 1, 10_000, 'the redelivery');
    expect(handled).toEqual([]);
  });

  it('shares the PostgreSQL store between two instances, per service', async () => {
    const service = f.service('idem.pg', DELAYS);
    const other = f.service('idem.pg.other', DELAYS);
    const store = new PgIdempotencyStore(db.pool);
    const calls: string[] = [];
    let settled = 0;
    const opts = { ...base(), idempotency: store, onOutcome: () => void settled++ };
    const handler = (who: string) => async () => void calls.push(who);
    subs.push(await subscribe(service, { 'certificate.issued': handler('one') }, opts));
    subs.push(await subscribe(service, { 'certificate.issued': handler('two') }, opts));
    subs.push(await subscribe(other, { 'certificate.issued': handler('other') }, opts));
    const event = makeEvent('certificate.issued');
    for (let i = 0; i < 3; i++) await f.publisher.publish(event);
    await waitFor(() => settled >= 6, 15_000, 'six deliveries settled');
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.filter((c) => c !== 'other')).toHaveLength(1);
    expect(calls.filter((c) => c === 'other')).toHaveLength(1);
    const rows = await db.pool.query('SELECT service, event_id, status FROM platform_processed_events WHERE service = ANY($1) ORDER BY service', [
      [service, other],
    ]);
    expect(rows.rows).toEqual([service, other].sort().map((s) => ({ service: s, event_id: event.eventId, status: 'done' })));
  });

  it('defers an event while the store is unavailable, without spending a retry', async () => {
    const service = f.service('idem.down', DELAYS);
    const inner = new MemoryIdempotencyStore();
    let outages = 2;
    const flakyStore = {
      claim: async (s: string, e: string, lease: number) => {
        if (outages-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return inner.claim(s, e, lease);
      },
      complete: inner.complete.bind(inner),
      release: inner.release.bind(inner),
    };
    const attempts: number[] = [];
    subs.push(await subscribe(service, { 'review.created': async (_e, ctx) => void attempts.push(ctx.attempt) }, { ...base(), idempotency: flakyStore }));
    await f.publisher.publish(makeEvent('review.created'));
    await waitFor(() => attempts.length >= 1, 10_000, 'the event handled');
    expect(outages).toBeLessThan(0);
    expect(attempts).toEqual([1]);
    expect(await depth(f.broker, f.dlq)).toBe(0);
  });

  it('PgIdempotencyStore: claim, busy, release, take over an expired lease, done', async () => {
    const store = new PgIdempotencyStore(db.pool);
    expect(await store.claim('svc', 'e1', 60_000)).toBe('claimed');
    expect(await store.claim('svc', 'e1', 60_000)).toBe('busy');
    await store.release('svc', 'e1');
    expect(await store.claim('svc', 'e1', 60_000)).toBe('claimed');
    await new Promise((r) => setTimeout(r, 30));
    expect(await store.claim('svc', 'e1', 10)).toBe('claimed'); // lease ran out: a dead consumer's claim
    await store.complete('svc', 'e1');
    expect(await store.claim('svc', 'e1', 10)).toBe('done');
    await store.release('svc', 'e1'); // never forgets a finished event
    expect(await store.claim('svc', 'e1', 10)).toBe('done');
    expect(await store.claim('svc2', 'e1', 10)).toBe('claimed');
  });
});

// The search indexer against real PostgreSQL: the drain's backlog becomes documents that the
// list's search finds (phrases included), the newest text of a record wins even when indexers
// race, a purged record is skipped, and a kick indexes without waiting for the idle poll; it
// waits while stored dead letters wait to be derived (the list first), but never forever.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexAllSearchBacklog, indexSearchBacklog, queueStaleDocuments, SearchIndexer, searchBacklogState } from '@/lib/bus/search-indexer';
import { viewerMasking, type ViewerMasking } from '@/lib/mask/viewer-search';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { deadLetterListQuerySchema } from '@/lib/schemas/dead-letters';
import { createPrismaClient } from '@/lib/server/db';
import { FULL_TEXT_SEARCH, type SearchScope } from '@/lib/server/dead-letters/dead-letter-where';
import { listDeadLetters } from '@/lib/server/dead-letters/list-dead-letters';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { TEST_MASKING, testLogger, waitFor } from './drain-helpers';
import { asDelivery, makeDeadLetter } from './drain-fixtures';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { writeRaw } from '@/lib/bus/write-raw';
import { deriveBatch } from '@/lib/bus/derive-dead-letters';
import { derivationPending } from '@/lib/bus/derive-dead-letters';
import { seedDeadLetter } from './triage-seed';
import { ignoreCleanupError } from '../helpers/cleanup';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('searchidx');
  prisma = createPrismaClient(db.url, 2);
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

/** A seeded dead letter without a search document, as the drain leaves it until indexed. */
async function unindexed() {
  const s = await seedDeadLetter(db.pool);
  await db.pool.query('DELETE FROM dead_letter_search WHERE dead_letter_id = $1', [s.id]);
  return s.id;
}

const queue = (id: string, text: string, backlogId?: number) =>
  backlogId === undefined
    ? db.pool.query('INSERT INTO search_backlog (dead_letter_id, search_text) VALUES ($1, $2)', [id, text])
    : db.pool.query('INSERT INTO search_backlog (id, dead_letter_id, search_text) VALUES ($3, $1, $2)', [id, text, backlogId]);

const search = async (q: string, scope: SearchScope = FULL_TEXT_SEARCH) =>
  (await listDeadLetters(deadLetterListQuerySchema.parse({ q }), scope, prisma)).items.map((d) => d.id).sort();
const viewers = (masking: ViewerMasking): SearchScope => ({ kind: 'masked', masking });

/** Walks every document once, as a started indexer does, queueing those of another masking. */
async function rebuildStale(masking: ViewerMasking): Promise<number> {
  let queued = 0;
  let after: string | null = null;
  do {
    const step = await queueStaleDocuments(db.pool, masking.key, after, 50);
    queued += step.queued;
    after = step.last;
  } while (after);
  await indexAllSearchBacklog(db.pool, masking);
  return queued;
}

describe('search indexer', () => {
  it('turns backlog rows into documents the search finds, phrases by word order, and empties the backlog', async () => {
    const id = await unindexed();
    const word = `platypus${Date.now()}`;
    await queue(id, `{"data":{"note":"${word} declined by gateway"}} card expired at checkout`);
    expect(await search(word)).toEqual([]); // queued, not yet searchable
    expect((await searchBacklogState(db.pool)).backlog).toBeGreaterThan(0);

    expect(await indexAllSearchBacklog(db.pool, TEST_MASKING)).toBeGreaterThan(0);
    expect(await search(word)).toEqual([id]);
    expect(await search(`"${word} declined"`)).toEqual([id]);
    expect(await search(`"declined ${word}"`)).toEqual([]);
    expect(await search(`"card expired" -${word}`)).toEqual([]);
    expect(await searchBacklogState(db.pool)).toEqual({ backlog: 0, oldestQueuedAt: null });
  });

  it('keeps the newest text of a record: within one chunk and when an older row is indexed last', async () => {
    const id = await unindexed();
    const [old, fresh] = [`oldword${Date.now()}`, `newword${Date.now()}`];
    await queue(id, old);
    await queue(id, fresh);
    await indexAllSearchBacklog(db.pool, TEST_MASKING);
    expect(await search(fresh)).toEqual([id]);
    expect(await search(old)).toEqual([]);

    // a slower indexer finishing with an older backlog row (lower id) must not win
    const { rows } = await db.pool.query<{ backlog_id: string }>('SELECT backlog_id FROM dead_letter_search WHERE dead_letter_id = $1', [id]);
    await queue(id, old, Number(rows[0].backlog_id) - 1);
    expect(await indexSearchBacklog(db.pool, TEST_MASKING)).toBe(1);
    expect(await search(fresh)).toEqual([id]);
    expect(await search(old)).toEqual([]);
  });

  it('skips a dead letter purged before it was indexed, and consumes its backlog row', async () => {
    const id = await unindexed();
    await queue(id, 'wombatpurged');
    await db.pool.query('DELETE FROM dead_letters WHERE id = $1', [id]);
    expect(await indexAllSearchBacklog(db.pool, TEST_MASKING)).toBe(1);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM dead_letter_search WHERE dead_letter_id = $1', [id])).rows[0].n).toBe(0);
    expect((await searchBacklogState(db.pool)).backlog).toBe(0);
  });

  it('skips a dead letter being purged while it is indexed (the delete commits mid-statement), and consumes its backlog row', async () => {
    const kept = await unindexed();
    const purged = await unindexed();
    await queue(kept, 'wombatkept');
    await queue(purged, 'wombatpurging');
    // retention's batch: the record deleted, not yet committed, when the indexer reads it
    const retention = await db.pool.connect();
    try {
      await retention.query('BEGIN');
      await retention.query('DELETE FROM dead_letters WHERE id = $1', [purged]);
      const indexing = indexAllSearchBacklog(db.pool, TEST_MASKING);
      await sleep(300);
      await retention.query('COMMIT');
      // before: the foreign key's check failed the chunk once the delete committed (23503)
      expect(await indexing).toBeGreaterThanOrEqual(2);
    } finally {
      await retention.query('ROLLBACK').catch(ignoreCleanupError);
      retention.release();
    }
    expect((await db.pool.query('SELECT count(*)::int AS n FROM dead_letter_search WHERE dead_letter_id = $1', [purged])).rows[0].n).toBe(0);
    expect(await search('wombatkept')).toEqual([kept]);
    expect((await searchBacklogState(db.pool)).backlog).toBe(0);
  });

  it('indexes at once when kicked, long before its idle poll', async () => {
    const indexer = new SearchIndexer(db.pool, testLogger, TEST_MASKING, { idleMs: 600_000 }).start();
    try {
      await waitFor(async () => (await searchBacklogState(db.pool)).backlog === 0, 5_000, 'first pass');
      const id = await unindexed();
      const word = `kicked${randomUUID().slice(0, 8)}`;
      await queue(id, word);
      indexer.kick();
      await waitFor(async () => (await search(word)).length === 1, 5_000, 'indexed after a kick');
      expect(await search(word)).toEqual([id]);
    } finally {
      await indexer.stop();
    }
  });

  /** stores one dead letter in the drain's inbox, not derived: the derivation has work */
  async function storeUnderived(i: number): Promise<string> {
    const eventId = randomUUID();
    const client = await db.pool.connect();
    try {
      await writeRaw(client, [prepareDeadLetter(asDelivery(makeDeadLetter(i, { eventId })))], 'edu.events.dlq');
    } finally {
      client.release();
    }
    expect(await derivationPending(db.pool)).toBe(true);
    return eventId;
  }
  const deriveAll = async () => {
    while ((await deriveBatch(db.pool, testLogger)).taken) {
      /* next batch */
    }
    expect(await derivationPending(db.pool)).toBe(false);
  };

  it('waits while stored dead letters wait to be derived, and indexes once they are', async () => {
    const n = 100_000 + Math.floor(Math.random() * 800_000);
    const eventId = await storeUnderived(n);
    const indexer = new SearchIndexer(db.pool, testLogger, TEST_MASKING, { idleMs: 600_000, maxDeferMs: 600_000 }).start();
    try {
      const id = await unindexed();
      const word = `deferred${randomUUID().slice(0, 8)}`;
      await queue(id, word);
      indexer.kick();
      await sleep(1000);
      expect(await search(word)).toEqual([]); // the list first: the derivation still has work
      await deriveAll();
      await waitFor(async () => (await search(word)).length === 1, 5_000, 'indexed once derived');
      // what the derivation queued from the inbox row (a JSON body: its own search text) is found too
      const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM dead_letters WHERE event_id = $1`, [eventId]);
      await waitFor(async () => (await search(`user${n}`)).includes(rows[0].id), 5_000, 'the derived record searchable by its body');
    } finally {
      await indexer.stop();
    }
  });

  it('does not wait for the derivation forever (maxDeferMs)', async () => {
    await storeUnderived(2);
    const indexer = new SearchIndexer(db.pool, testLogger, TEST_MASKING, { idleMs: 600_000, maxDeferMs: 1000 }).start();
    try {
      const id = await unindexed();
      const word = `starved${randomUUID().slice(0, 8)}`;
      await queue(id, word);
      indexer.kick();
      await waitFor(async () => (await search(word)).length === 1, 10_000, 'indexed after the longest wait');
      expect(await derivationPending(db.pool)).toBe(true); // it did not wait for the derivation
    } finally {
      await indexer.stop();
      await deriveAll();
    }
  });

  it('past maxDeferMs, while the derivation still lags, indexes a chunk at a time with a rest after each, and everything', async () => {
    await storeUnderived(3);
    const words: string[] = [];
    for (let k = 0; k < 3; k++) {
      const word = `lagging${k}${randomUUID().slice(0, 8)}`;
      await queue(await unindexed(), word);
      words.push(word);
    }
    // every backlog row, ours among them, before the indexer starts: chunks of one row
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM search_backlog');
    expect(rows[0].n).toBeGreaterThanOrEqual(3);
    const indexer = new SearchIndexer(db.pool, testLogger, TEST_MASKING, { idleMs: 600_000, maxDeferMs: 200, chunk: 1 }).start();
    try {
      for (const word of words) await waitFor(async () => (await search(word)).length === 1, 10_000, `"${word}" indexed while the derivation lags`);
      await waitFor(async () => (await db.pool.query('SELECT 1 FROM search_backlog')).rowCount === 0, 10_000, 'the backlog empty');
      expect(await derivationPending(db.pool)).toBe(true);
      expect(indexer.laggingChunks).toBe(rows[0].n);
    } finally {
      await indexer.stop();
      await deriveAll();
    }
  });
});

describe("viewers' search", () => {
  it('finds what viewers are shown, never a masked value, and a document of another masking only once it is rebuilt', async () => {
    const tag = `kiwi${randomUUID().slice(0, 8)}`;
    const email = `jane.${tag}@example.com`;
    const payment = `pay${tag}x9`;
    const personal = await seedDeadLetter(db.pool, {
      eventType: 'payment.completed',
      body: { eventType: 'payment.completed', version: '1.0', data: { email, paymentId: payment, note: `${tag}note` } },
      errorMessage: `receipt not sent to ${email}`,
    });
    const plain = await seedDeadLetter(db.pool, { body: { eventType: 'user.created', version: '1.0', data: { note: `${tag}note` } } });
    const ids = [personal.id, plain.id];
    // their documents built by the indexer from their stored messages
    await db.pool.query('DELETE FROM dead_letter_search WHERE dead_letter_id = ANY($1::uuid[])', [ids]);
    await db.pool.query('INSERT INTO search_backlog (dead_letter_id, message_id) SELECT id, latest_message_id FROM dead_letters WHERE id = ANY($1::uuid[])', [
      ids,
    ]);
    await indexAllSearchBacklog(db.pool, TEST_MASKING);

    // operators search everything
    expect(await search(email)).toEqual([personal.id]);
    expect(await search(payment)).toEqual([personal.id]);
    expect(await search(`${tag}note`)).toEqual([...ids].sort());
    // viewers: not by a masked value, in the body or the error message, as a word or a phrase
    const masked = viewers(TEST_MASKING);
    expect(await search(email, masked)).toEqual([]);
    expect(await search(`"${email}"`, masked)).toEqual([]);
    expect(await search(`receipt ${email}`, masked)).toEqual([]);
    expect(await search(payment, masked)).toEqual([]);
    // but by the rest of the text, in a record with masked values and in one without any
    expect(await search(`${tag}note`, masked)).toEqual([...ids].sort());
    expect(await search('"receipt not sent"', masked)).toContain(personal.id);
    const { rows } = await db.pool.query<{ id: string; own: boolean; key: string }>(
      'SELECT dead_letter_id AS id, viewer_document IS NOT NULL AS own, mask_key AS key FROM dead_letter_search WHERE dead_letter_id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows.map((r) => r.own)).toEqual([true, true]);
    expect(rows.map((r) => r.key)).toEqual([TEST_MASKING.key, TEST_MASKING.key]);

    // MASK_FIELDS changed (paymentId no longer masked): documents of the old masking are not
    // searched by viewers until rebuilt, then the payment id is found and the address still not
    const emailOnly = viewerMasking(['Email']);
    expect(await search(`${tag}note`, viewers(emailOnly))).toEqual([]);
    expect(await rebuildStale(emailOnly)).toBeGreaterThanOrEqual(2);
    expect(await search(payment, viewers(emailOnly))).toEqual([personal.id]);
    expect(await search(email, viewers(emailOnly))).toEqual([]);
    expect(await search(`${tag}note`, viewers(emailOnly))).toEqual([...ids].sort());
    // the operators' document rebuilt from the stored message is the one built before
    expect(await search(email)).toEqual([personal.id]);
    expect(await rebuildStale(emailOnly)).toBe(0); // nothing of another masking left
  });

  it('a started indexer rebuilds the documents of another masking (or none yet) on its own', async () => {
    const tag = `plum${randomUUID().slice(0, 8)}`;
    const { id } = await seedDeadLetter(db.pool, { body: { data: { email: `z.${tag}@example.com`, note: `${tag}note` } } });
    // as a process of the previous version leaves it: a full document only
    expect(await search(`${tag}note`, viewers(TEST_MASKING))).toEqual([]);
    const indexer = new SearchIndexer(db.pool, testLogger, TEST_MASKING, { idleMs: 600_000 }).start();
    try {
      await waitFor(async () => (await search(`${tag}note`, viewers(TEST_MASKING))).length === 1, 10_000, 'rebuilt by the walk');
      expect(await search(`${tag}note`, viewers(TEST_MASKING))).toEqual([id]);
      expect(await search(`z.${tag}@example.com`, viewers(TEST_MASKING))).toEqual([]);
    } finally {
      await indexer.stop();
    }
  });

  it('masks a body cut at 8 KB and its error message as viewers are shown them: nothing the cut left half-read is indexed', async () => {
    const tag = `lime${randomUUID().slice(0, 8)}`;
    const pad = 'x'.repeat(8150);
    // cut inside a string literal that runs on: the error message's payment id must stay masked
    const inString = await seedDeadLetter(db.pool, {
      body: `{"data":{"note":"${tag}first","pad":"${pad}${'y'.repeat(200)}"}}`,
      errorMessage: `charge failed: {"paymentId":"pay${tag}err"}`,
    });
    // cut inside an address (after "@ex"): its start must not be indexed as written
    const addressBody = `{"data":{"note":"${tag}second","pad":"${pad.slice(0, 8192 - 50 - tag.length * 2)}","email":"jane${tag}@example.com","more":"${'z'.repeat(300)}"}}`;
    expect(addressBody.slice(8192 - 3, 8192)).toBe('@ex');
    const inAddress = await seedDeadLetter(db.pool, { body: addressBody });
    const ids = [inString.id, inAddress.id];
    await db.pool.query('DELETE FROM dead_letter_search WHERE dead_letter_id = ANY($1::uuid[])', [ids]);
    await db.pool.query('INSERT INTO search_backlog (dead_letter_id) SELECT unnest($1::uuid[])', [ids]);
    await indexAllSearchBacklog(db.pool, TEST_MASKING);
    const masked = viewers(TEST_MASKING);
    expect(await search(`pay${tag}err`)).toEqual([inString.id]); // operators: in full
    expect(await search(`pay${tag}err`, masked)).toEqual([]);
    expect(await search(`${tag}first`, masked)).toEqual([inString.id]);
    expect(await search(`${tag}second`, masked)).toEqual([inAddress.id]);
    const { rows } = await db.pool.query<{ lexemes: string[] }>(
      'SELECT tsvector_to_array(viewer_document) AS lexemes FROM dead_letter_search WHERE dead_letter_id = $1',
      [inAddress.id],
    );
    expect(rows[0].lexemes.filter((l) => l.includes(tag) && !l.includes('second'))).toEqual([]);
  });

  it('rebuilds a document from a message that is not its own search text (binary, over 8 KB) as the derivation built it', async () => {
    const tag = `fig${randomUUID().slice(0, 8)}`;
    const big = await seedDeadLetter(db.pool, { body: `{"data":{"note":"${tag}start","pad":"${'x'.repeat(9000)}","late":"${tag}late"}}`, errorMessage: null });
    const binary = await seedDeadLetter(db.pool, {
      body: Buffer.concat([Buffer.from(`${tag}bin `), Buffer.from([0xff, 0xfe, 0x00])]),
      errorMessage: `${tag}err`,
    });
    await db.pool.query('UPDATE dead_letter_search SET mask_key = NULL WHERE dead_letter_id = ANY($1::uuid[])', [[big.id, binary.id]]);
    await rebuildStale(TEST_MASKING);
    expect(await search(`${tag}start`)).toEqual([big.id]);
    expect(await search(`${tag}late`)).toEqual([]); // past the first 8 KB, as the derivation indexes it
    expect(await search(`${tag}err`)).toEqual([binary.id]);
    expect(await search(`${tag}bin`)).toEqual([]); // not UTF-8: only the error message
  });

  it('analyzes the documents once the ones its walk rebuilt are indexed (statistics from empty viewer documents made a viewer search take 8.8 s)', async () => {
    const tag = `stat${randomUUID().slice(0, 8)}`;
    const seeded = await Promise.all(Array.from({ length: 4 }, (_, i) => seedDeadLetter(db.pool, { body: `{"note":"${tag}${i}"}` })));
    await db.pool.query('UPDATE dead_letter_search SET mask_key = NULL WHERE dead_letter_id = ANY($1::uuid[])', [seeded.map((d) => d.id)]);
    const analyzedAt = async () =>
      (
        await db.pool.query<{ at: Date | null }>(`SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'dead_letter_search'`)
      ).rows[0].at?.getTime() ?? 0;
    const before = await analyzedAt();
    const indexer = new SearchIndexer(db.pool, testLogger, TEST_MASKING, { idleMs: 100, analyzeAfter: 3 }).start();
    try {
      await waitFor(async () => (await analyzedAt()) > before, 10_000, 'dead_letter_search analyzed');
      expect(indexer.rebuiltSinceAnalyze).toBe(0);
      expect(await search(`${tag}2`, { kind: 'masked', masking: TEST_MASKING })).toEqual([seeded[2].id]);
    } finally {
      await indexer.stop();
    }
  });
});

// The derivation's guard against a message that kills its process (lib/bus/derivation-attempts.ts),
// decision by decision, against a real database: an announcement standing at the watermark made
// by another process is a death (its batch is tried again, then goes one row at a time, a row the
// process died on alone twice is set aside, one whose setting aside died is passed), while this
// process's own, a failure it lived through, is not; a batch of one row is a batch, not a row
// taken alone.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { announceAttempt, BATCH_DEATHS, forgetAttempt, planAttempt, SINGLE_ROW_DEATHS, type AttemptMode } from '@/lib/bus/derivation-attempts';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

const NAME = 'attempts-test';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('attempts');
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.pool.query(`DELETE FROM derivation_attempts`);
});

const at = (id: number) => ({ tx: '100', id: String(id) });
/** the batch of `n` rows after a watermark ends `n` rows on (ids are consecutive here) */
const lastOf = (from: { id: string }) => async (n: number) => at(Number(from.id) + n);

/** An announcement as a process that has since died left it (another owner than this process). */
async function deadProcessLeft(from: { tx: string; id: string }, size: number, mode: AttemptMode, deaths = 0, until: { tx: string; id: string } | null = null) {
  await db.pool.query(
    `INSERT INTO derivation_attempts (name, from_tx, from_id, size, mode, deaths, until_tx, until_id, owner)
     VALUES ($1, $2::xid8, $3, $4, $5, $6, $7::xid8, $8, 'gone-host:4242:dead')`,
    [NAME, from.tx, from.id, size, mode, deaths, until?.tx ?? null, until?.id ?? null],
  );
}

const plan = (from: { tx: string; id: string }) => planAttempt(db.pool, NAME, from, lastOf(from));

describe('derivation attempts', () => {
  it('nothing standing, or a batch already past: a batch as usual', async () => {
    expect(await plan(at(10))).toEqual({ mode: 'batch', until: null });
    await deadProcessLeft(at(5), 500, 'batch');
    expect(await plan(at(10))).toEqual({ mode: 'batch', until: null });
  });

  it(`another process died during a batch: tried again; after ${BATCH_DEATHS} deaths its rows one at a time, up to its last, then batches again`, async () => {
    // one death (a SIGKILL, the OOM killer of a busy host): the batch again, as it was
    await deadProcessLeft(at(10), 500, 'batch');
    expect(await plan(at(10))).toEqual({ mode: 'again', deaths: 1, until: null });
    await db.pool.query(`DELETE FROM derivation_attempts`);
    await deadProcessLeft(at(10), 500, 'batch', BATCH_DEATHS - 1);
    const first = await plan(at(10));
    expect(first).toEqual({ mode: 'one-at-a-time', deaths: 0, until: at(510) });
    // this process goes on alone, row by row: each row after the first is still in the range
    await announceAttempt(db.pool, NAME, at(10), { size: 1, mode: 'alone', deaths: 0, until: first.until });
    expect(await plan(at(11))).toEqual({ mode: 'one-at-a-time', deaths: 0, until: at(510) });
    expect(await plan(at(509))).toEqual({ mode: 'one-at-a-time', deaths: 0, until: at(510) });
    expect(await plan(at(510))).toEqual({ mode: 'batch', until: null });
  });

  it('a batch of one row that killed the process is a batch: the row is not counted as taken alone', async () => {
    await deadProcessLeft(at(10), 1, 'batch');
    expect(await plan(at(10))).toEqual({ mode: 'again', deaths: 1, until: null });
    await db.pool.query(`DELETE FROM derivation_attempts`);
    await deadProcessLeft(at(10), 1, 'batch', BATCH_DEATHS - 1);
    expect(await plan(at(10))).toEqual({ mode: 'one-at-a-time', deaths: 0, until: at(11) });
  });

  it(`a row the process died on alone ${SINGLE_ROW_DEATHS} times is set aside; a setting aside that died passes it`, async () => {
    await deadProcessLeft(at(10), 1, 'alone', 0, at(20));
    expect(await plan(at(10))).toEqual({ mode: 'one-at-a-time', deaths: 1, until: at(20) });
    await db.pool.query(`DELETE FROM derivation_attempts`);
    await deadProcessLeft(at(10), 1, 'alone', 1, at(20));
    expect(await plan(at(10))).toEqual({ mode: 'set-aside', deaths: 2, until: at(20) });
    await db.pool.query(`DELETE FROM derivation_attempts`);
    await deadProcessLeft(at(10), 1, 'set-aside', 2, at(20));
    expect(await plan(at(10))).toEqual({ mode: 'pass', deaths: 2, until: at(20) });
  });

  it("this process's own announcement still standing is a failure it lived through, never a death", async () => {
    await announceAttempt(db.pool, NAME, at(10), { size: 500, mode: 'batch', deaths: 0, until: null });
    expect(await plan(at(10))).toEqual({ mode: 'batch', until: null });
    // a batch tried again after a death, that then failed in this process: tried again the same way
    await announceAttempt(db.pool, NAME, at(10), { size: 500, mode: 'batch', deaths: 1, until: null });
    expect(await plan(at(10))).toEqual({ mode: 'again', deaths: 1, until: null });
    // alone, its count of deaths stays as it was
    await announceAttempt(db.pool, NAME, at(10), { size: 1, mode: 'alone', deaths: 1, until: at(20) });
    expect(await plan(at(10))).toEqual({ mode: 'one-at-a-time', deaths: 1, until: at(20) });
  });

  it("forgetting takes back this process's announcement only, and keeps the range being recovered", async () => {
    await announceAttempt(db.pool, NAME, at(10), { size: 1, mode: 'alone', deaths: 0, until: at(20) });
    await forgetAttempt(db.pool, NAME, at(10));
    expect(await plan(at(10))).toEqual({ mode: 'one-at-a-time', deaths: 0, until: at(20) });
    const { rows } = await db.pool.query(`SELECT from_tx, from_id FROM derivation_attempts`);
    expect(rows).toEqual([{ from_tx: null, from_id: null }]);
    // another process's is left alone: its death is still told
    await db.pool.query(`DELETE FROM derivation_attempts`);
    await deadProcessLeft(at(10), 500, 'batch');
    await forgetAttempt(db.pool, NAME);
    expect((await plan(at(10))).mode).toBe('again');
  });
});

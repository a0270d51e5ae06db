// The limiter's statement itself, in this process against a test database: the count and the
// decision are one atomic step (parallel tries), and a try refused by one counter hands back
// what the other counted for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let db: TestDatabase;
let throttle: typeof import('@/lib/server/auth/sign-in-throttle');

beforeAll(async () => {
  db = await createTestDatabase('throttle');
  Object.assign(process.env, { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  throttle = await import('@/lib/server/auth/sign-in-throttle');
});

afterAll(async () => {
  await db?.drop();
});

async function row(key: string) {
  const { rows } = await db.pool.query<{ attempts: number; failures: number; waiting: boolean }>(
    `SELECT attempts, failures, coalesce(next_try_at > clock_timestamp(), false) AS waiting FROM sign_in_throttle WHERE key = $1`,
    [key],
  );
  return rows[0];
}

describe('the limiter statement', () => {
  it('30 parallel tries: 30 counted, exactly 5 let through, on both counters', async () => {
    const decisions = await Promise.all(Array.from({ length: 30 }, () => throttle.takeSignInTry('par@example.test', '192.0.2.30')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(throttle.FREE_FAILURES);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds >= 1)).toBe(true);
    const keys = throttle.throttleKeys('par@example.test', '192.0.2.30');
    expect(await row(keys.accountAddress)).toEqual({ attempts: 30, failures: 5, waiting: true });
    expect(await row(keys.address)).toEqual({ attempts: 30, failures: 5, waiting: true });
  });

  it('a try refused by the address counter does not count as a failure of its account', async () => {
    for (let i = 0; i < 5; i++) expect((await throttle.takeSignInTry(`spray-${i}@example.test`, '192.0.2.40')).allowed).toBe(true);
    const refused = await throttle.takeSignInTry('victim@example.test', '192.0.2.40');
    expect(refused.allowed).toBe(false);
    const keys = throttle.throttleKeys('victim@example.test', '192.0.2.40');
    expect(await row(keys.accountAddress)).toEqual({ attempts: 1, failures: 0, waiting: false });
    expect(await row(keys.address)).toMatchObject({ attempts: 6, failures: 5, waiting: true });
  });

  it('a success clears the account+address counter and hands the address its try back', async () => {
    for (let i = 0; i < 3; i++) await throttle.takeSignInTry('ok@example.test', '192.0.2.50');
    await throttle.signInSucceeded('ok@example.test', '192.0.2.50');
    const keys = throttle.throttleKeys('ok@example.test', '192.0.2.50');
    expect(await row(keys.accountAddress)).toBeUndefined();
    expect(await row(keys.address)).toEqual({ attempts: 3, failures: 2, waiting: false });
  });

  it('authorize() checks a password only inside a try the limiter counted, for that account', async () => {
    const { runCounted, wasCounted } = await import('@/lib/server/auth/credentials-throttle');
    expect(wasCounted('a@example.test')).toBe(false);
    expect(await runCounted('a@example.test', async () => wasCounted('a@example.test'))).toBe(true);
    expect(await runCounted('a@example.test', async () => wasCounted('b@example.test'))).toBe(false);
    expect(await runCounted(null, async () => wasCounted('a@example.test'))).toBe(false);
  });
});

// The sign-in limiter: it slows guessing down instead of locking accounts. Two counters per try,
// kept in PostgreSQL (shared by every process): one per account+address, one per address across
// accounts. The first FREE_FAILURES failures of a counter cost nothing; after n failures the next
// try must wait 2^(n - FREE_FAILURES) s, at most MAX_DELAY_SECONDS. A try that comes too early
// is refused (429 with Retry-After) without its password being checked. Someone else's failures
// on an account, from another address, never slow down or refuse its owner. A success clears
// its account+address counter. Each try counts and decides in ONE statement
// (INSERT ... ON CONFLICT DO UPDATE ... RETURNING): parallel tries are serialised on the rows.
import 'server-only';
import { prisma } from '@/lib/server/db';
import { logger } from '@/lib/log';
import { addressKey } from './client-ip';

export const FREE_FAILURES = 5;
export const MAX_DELAY_SECONDS = 15 * 60;
/** A counter with no failure for this long (and no wait pending) starts afresh. */
export const FORGET_AFTER_MINUTES = 60;

/** Seconds the next try must wait after `failures` failures. */
export function delaySeconds(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(2 ** Math.min(failures - FREE_FAILURES, 30), MAX_DELAY_SECONDS);
}

export function throttleKeys(account: string, ip: string): { accountAddress: string; address: string } {
  const address = addressKey(ip);
  return { accountAddress: `acct:${address}|${account}`, address: `ip:${address}` };
}

export interface ThrottleDecision {
  allowed: boolean;
  /** when refused: seconds until a try is let through again */
  retryAfterSeconds: number;
}

interface Row {
  key: string;
  allowed: boolean;
  wait_seconds: number;
}

/**
 * Counts one sign-in try on both counters and says whether its password may be checked. An
 * allowed try counts as a failure until signInSucceeded() says otherwise.
 */
export async function takeSignInTry(account: string, ip: string): Promise<ThrottleDecision> {
  const keys = throttleKeys(account, ip);
  const free = FREE_FAILURES;
  const cap = MAX_DELAY_SECONDS;
  const forget = `${FORGET_AFTER_MINUTES} minutes`;
  // One clock for the whole statement (statement_timestamp(): every CASE below sees the same
  // instant, so "allowed" and "failures" cannot disagree). A try that queued on the row lock
  // behind another compares that one's wait with its own, slightly earlier, start: it is refused
  // as it should be, being concurrent with it. No wait (null) below FREE_FAILURES, so parallel
  // first tries never refuse each other. The delay after n failures is 2^(n - FREE_FAILURES) s,
  // capped (the exponent is bounded first so power() cannot overflow).
  const rows = await prisma.$queryRaw<Row[]>`
    INSERT INTO "sign_in_throttle" AS t ("key", "attempts", "failures", "allowed", "last_failure_at", "next_try_at")
    SELECT k, 1, 1, true, statement_timestamp(),
           CASE WHEN 1 >= ${free}::int THEN statement_timestamp() + make_interval(secs => least(power(2, 1 - ${free}::int), ${cap}::int)) END
    FROM unnest(ARRAY[${keys.accountAddress}, ${keys.address}]::text[]) AS k
    ON CONFLICT ("key") DO UPDATE SET
      "attempts" = CASE WHEN t."last_failure_at" < statement_timestamp() - ${forget}::interval AND coalesce(t."next_try_at" <= statement_timestamp(), true)
                        THEN 1 ELSE t."attempts" + 1 END,
      "failures" = CASE WHEN t."last_failure_at" < statement_timestamp() - ${forget}::interval AND coalesce(t."next_try_at" <= statement_timestamp(), true) THEN 1
                        WHEN coalesce(t."next_try_at" <= statement_timestamp(), true) THEN t."failures" + 1
                        ELSE t."failures" END,
      "allowed" = coalesce(t."next_try_at" <= statement_timestamp(), true),
      "last_failure_at" = CASE WHEN coalesce(t."next_try_at" <= statement_timestamp(), true) THEN statement_timestamp() ELSE t."last_failure_at" END,
      "next_try_at" = CASE
        WHEN NOT coalesce(t."next_try_at" <= statement_timestamp(), true) THEN t."next_try_at"
        WHEN t."last_failure_at" < statement_timestamp() - ${forget}::interval THEN
          CASE WHEN 1 >= ${free}::int THEN statement_timestamp() + make_interval(secs => least(power(2, 1 - ${free}::int), ${cap}::int)) END
        WHEN t."failures" + 1 >= ${free}::int
          THEN statement_timestamp() + make_interval(secs => least(power(2, least(t."failures" + 1 - ${free}::int, 30)), ${cap}::int))
        END
    RETURNING "key", "allowed", greatest(0, extract(epoch FROM ("next_try_at" - statement_timestamp())))::float8 AS "wait_seconds"`;
  if (Math.random() < 0.01) void forgetOldCounters().catch((err: Error) => logger.warn({ err: err.message }, 'cannot forget old sign-in counters; next time'));
  const refused = rows.filter((r) => !r.allowed);
  if (refused.length === 0) return { allowed: true, retryAfterSeconds: 0 };
  // One counter refused the try, so no password is checked: what the others counted as a
  // failure for it is handed back.
  const counted = rows.filter((r) => r.allowed).map((r) => r.key);
  if (counted.length) await releaseTries(counted);
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...refused.map((r) => r.wait_seconds)))) };
}

/** Hands back one counted failure on each key (its wait is dropped once below FREE_FAILURES). */
async function releaseTries(keys: string[]): Promise<void> {
  await prisma.$executeRaw`
    UPDATE "sign_in_throttle" SET
      "failures" = greatest("failures" - 1, 0),
      "next_try_at" = CASE WHEN "failures" - 1 >= ${FREE_FAILURES}::int THEN "next_try_at" END
    WHERE "key" = ANY(${keys}::text[])`;
}

/**
 * The password was right: the account+address counter starts afresh, and the address counter
 * gets this try back (it is not a failure), so colleagues behind one address are not slowed by
 * each other's successes.
 */
export async function signInSucceeded(account: string, ip: string): Promise<void> {
  const keys = throttleKeys(account, ip);
  await prisma.$executeRaw`DELETE FROM "sign_in_throttle" WHERE "key" = ${keys.accountAddress}`;
  await releaseTries([keys.address]);
}

async function forgetOldCounters(): Promise<void> {
  await prisma.$executeRaw`
    DELETE FROM "sign_in_throttle"
    WHERE "last_failure_at" < now() - interval '1 day' AND coalesce("next_try_at" < now(), true)`;
}

/** The account a sign-in names, as authorize() and the limiter both key it. */
export function signInAccount(email: unknown): string {
  return (typeof email === 'string' ? email : '').trim().toLowerCase().slice(0, 320);
}

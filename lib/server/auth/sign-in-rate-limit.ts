// Sign-in rate limit: at most MAX_FAILURES failed tries per account and per IP address in
// WINDOW_MINUTES. Attempts live in PostgreSQL so the limit holds across processes and restarts.
import 'server-only';
import { prisma } from '@/lib/server/db';

export const MAX_FAILURES = 10;
export const WINDOW_MINUTES = 15;

export interface RateDecision {
  allowed: boolean;
  /** seconds until the oldest counted failure leaves the window */
  retryAfterSeconds: number;
}

/**
 * Failures of an account count since its last successful sign-in (a user who finally gets it
 * right starts afresh); failures of an address always count, so one valid account does not
 * reset a password spray from the same address.
 */
export async function checkSignInRate(account: string, ip: string): Promise<RateDecision> {
  const window = `${WINDOW_MINUTES} minutes`;
  const [byAccount] = await prisma.$queryRaw<{ failures: number; oldest: Date | null }[]>`
    SELECT count(*)::int AS failures, min("at") AS oldest FROM "sign_in_attempts"
    WHERE "account" = ${account} AND NOT "success" AND "at" > now() - ${window}::interval
      AND "at" > coalesce((SELECT max("at") FROM "sign_in_attempts" WHERE "account" = ${account} AND "success"), '-infinity')`;
  const [byIp] = await prisma.$queryRaw<{ failures: number; oldest: Date | null }[]>`
    SELECT count(*)::int AS failures, min("at") AS oldest FROM "sign_in_attempts"
    WHERE "ip" = ${ip} AND NOT "success" AND "at" > now() - ${window}::interval`;
  const blocking = [byAccount, byIp].filter((r) => r.failures >= MAX_FAILURES && r.oldest);
  if (blocking.length === 0) return { allowed: true, retryAfterSeconds: 0 };
  const until = Math.max(...blocking.map((r) => r.oldest!.getTime() + WINDOW_MINUTES * 60_000));
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - Date.now()) / 1000)) };
}

export async function recordSignInAttempt(account: string, ip: string, success: boolean): Promise<void> {
  await prisma.signInAttempt.create({ data: { account, ip, success } });
  // Keep the table small without a job of its own: now and then drop what no window needs.
  if (Math.random() < 0.02) {
    await prisma.$executeRaw`DELETE FROM "sign_in_attempts" WHERE "at" < now() - interval '1 day'`;
  }
}

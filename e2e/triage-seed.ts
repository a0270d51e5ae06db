// Seeding for the triage specs: dead letters written straight into the e2e database (as the
// drain stores them) under a tag unique to the run, so other specs' data never interferes;
// and a sign-in guard for runs whose default context carries no session.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Page } from '@playwright/test';
import { seedDeadLetter, type SeedDeadLetter, type Seeded } from '../tests/integration/triage-seed';
import { createTestUser, signIn } from '../tests/helpers/auth';

export const tag = () => randomBytes(4).toString('hex');

export async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run through e2e/playwright.config.ts');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function seed(rows: SeedDeadLetter[]): Promise<Seeded[]> {
  return withDb(async (c) => {
    const out: Seeded[] = [];
    for (const r of rows) out.push(await seedDeadLetter(c, r));
    return out;
  });
}

/** Removes what seed() inserted, and the failure groups it created. */
export async function unseed(seeded: Seeded[]): Promise<void> {
  if (!seeded.length) return;
  await withDb(async (c) => {
    await c.query(`DELETE FROM dead_letters WHERE id = ANY($1::uuid[])`, [seeded.map((s) => s.id)]);
    const groups = [...new Set(seeded.map((s) => s.groupId))];
    await c.query(`DELETE FROM failure_group_hours WHERE group_id = ANY($1::text[])`, [groups]);
    await c.query(`DELETE FROM failure_groups WHERE id = ANY($1::text[])`, [groups]);
  });
}

let cookie: { name: string; value: string } | null = null;

/** The default context is an admin session once auth's storageState is configured; else sign in. */
export async function ensureSignedIn(page: Page): Promise<void> {
  const base = process.env.E2E_BASE_URL!;
  const cookies = await page.context().cookies(base);
  if (cookies.some((c) => c.name.endsWith('next-auth.session-token'))) return;
  const probe = await page.request.get(`${base}/`, { maxRedirects: 0 });
  if (probe.status() < 300) return; // no sign-in required in this build
  if (!cookie) {
    const user = await withDb(async (c) => {
      const exists = await c.query(`SELECT to_regclass('users') AS t`);
      return exists.rows[0].t ? createTestUser(process.env.E2E_DATABASE_URL!, 'admin', 'triage') : null;
    });
    if (!user) return;
    const outcome = await signIn(base, user.email, user.password);
    if (!outcome.cookie) throw new Error(`sign-in failed: ${outcome.error}`);
    const i = outcome.cookie.indexOf('=');
    cookie = { name: outcome.cookie.slice(0, i), value: outcome.cookie.slice(i + 1) };
  }
  await page.context().addCookies([{ ...cookie, url: base }]);
}

// Playwright fixtures for role-specific pages. The default `page` is signed in as the admin
// (global-setup + use.storageState); `viewerPage` / `operatorPage` are pages of a fresh user
// with that role, signed in, in their own browser context. Usage:
//   import { test, expect } from './fixtures';
//   test('...', async ({ viewerPage }) => { await viewerPage.goto('/'); ... });
import { test as base, expect, type Page } from '@playwright/test';
import pg from 'pg';
import { createTestUser, type TestRole, type TestUser } from '../tests/helpers/auth';
import { signInStorageState } from './auth-session';

interface RoleFixtures {
  viewerPage: Page;
  operatorPage: Page;
  /** the user behind viewerPage (email, password, id) */
  viewerUser: TestUser;
  operatorUser: TestUser;
}

function databaseUrl(): string {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run through e2e/playwright.config.ts');
  return url;
}

async function withUser(role: TestRole, use: (user: TestUser) => Promise<void>) {
  const user = await createTestUser(databaseUrl(), role);
  try {
    await use(user);
  } finally {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    await client.query(`DELETE FROM "users" WHERE "id" = $1`, [user.id]).finally(() => client.end());
  }
}

export const test = base.extend<RoleFixtures>({
  viewerUser: async ({}, use) => withUser('viewer', use),
  operatorUser: async ({}, use) => withUser('operator', use),
  viewerPage: async ({ browser, baseURL, viewerUser }, use) => {
    const context = await browser.newContext({ baseURL, storageState: await signInStorageState(baseURL!, viewerUser.email, viewerUser.password) });
    await use(await context.newPage());
    await context.close();
  },
  operatorPage: async ({ browser, baseURL, operatorUser }, use) => {
    const context = await browser.newContext({ baseURL, storageState: await signInStorageState(baseURL!, operatorUser.email, operatorUser.password) });
    await use(await context.newPage());
    await context.close();
  },
});

export { expect };

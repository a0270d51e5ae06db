// Sign in, a wrong password, the user menu, sign out (a copied cookie dies with it); scripts run
// under the nonce CSP; the redirect after sign-in never leaves the console.
import { expect, test } from '@playwright/test';
import { createTestUser } from '../tests/helpers/auth';

test.use({ storageState: { cookies: [], origins: [] } }); // signed out

// Signing out ends every session of the user (one session version per user), so this signs out an
// admin of its own, not the one whose session the other specs share.
test('sign in, see who I am, sign out', async ({ page, browser, baseURL }) => {
  const admin = await createTestUser(process.env.E2E_DATABASE_URL!, 'admin', 'e2e-signout');
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });

  await page.goto('/groups');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fgroups$/);

  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);

  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/groups$/);
  await expect(page.getByTestId('user-name')).toHaveText(admin.email);
  await expect(page.getByTestId('user-role')).toHaveText('admin');
  const copied = await page.context().cookies();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
  expect(cspErrors).toEqual([]);

  // the sign-out: the cookie copied before it no longer opens the console
  const thief = await browser.newContext({ baseURL, storageState: { cookies: copied, origins: [] } });
  const stolen = await thief.newPage();
  await stolen.goto('/groups');
  await expect(stolen).toHaveURL(/\/sign-in/);
  expect((await thief.request.get('/api/me')).status()).toBe(401);
  await thief.close();
});

test('a shared list link opened signed out keeps its filters through sign-in', async ({ page }) => {
  await page.goto('/?reason=rejected&status=pending');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2F%3Freason%3Drejected%26status%3Dpending$/);
  await page.getByLabel('Email').fill(process.env.E2E_ADMIN_EMAIL!);
  await page.getByLabel('Password').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/\?reason=rejected&status=pending$/);
  await expect(page.getByLabel('Reason')).toHaveValue('rejected');
});

test('the redirect: a callbackUrl of /%09/evil.example ends on the console', async ({ page, baseURL }) => {
  const offSite: string[] = [];
  await page.route(
    (url) => url.hostname.endsWith('evil.example'),
    (route) => {
      offSite.push(route.request().url());
      return route.abort();
    },
  );
  await page.goto('/sign-in?callbackUrl=/%09/evil.example');
  await page.getByLabel('Email').fill(process.env.E2E_ADMIN_EMAIL!);
  await page.getByLabel('Password').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText(process.env.E2E_ADMIN_EMAIL!);
  expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  expect(new URL(page.url()).pathname).toBe('/');
  expect(offSite).toEqual([]);

  // signed in already: the page redirects at once, and %0a / %0d never give a 500
  for (const bad of ['/%09/evil.example', '/%0a/evil.example', '/%0d/evil.example']) {
    const response = await page.goto(`/sign-in?callbackUrl=${bad}`);
    expect(response!.status(), bad).toBeLessThan(500);
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  }
  expect(offSite).toEqual([]);
});

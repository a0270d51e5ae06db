// An admin creates an API token in Settings, a script uses it, the admin revokes it.
import { expect, test } from '@playwright/test';

test('admin creates a token in the UI, uses it with fetch, then revokes it', async ({ page, baseURL }) => {
  const name = `e2e-script-${Date.now()}`;
  await page.goto('/settings');
  await page.getByRole('form', { name: 'Create token' }).getByLabel('Name').fill(name);
  await page.getByRole('form', { name: 'Create token' }).getByLabel('Role').selectOption('operator');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  expect(token).toMatch(/^edk_/);

  // like `curl -H "Authorization: Bearer $TOKEN"`: no cookies, no browser
  const me = await fetch(`${baseURL}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({ name, role: 'operator', kind: 'token' });

  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('new-token')).toHaveCount(0); // shown once only
  const row = page.locator(`[data-testid="token-row"][data-name="${name}"]`);
  await expect(row).toBeVisible();
  await page.reload();
  await expect(row.getByTestId('token-last-used')).not.toHaveText('—');

  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  const after = await fetch(`${baseURL}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(after.status).toBe(401);
});

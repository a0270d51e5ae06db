// /api-docs renders GET /api/openapi.json for people: operations grouped by tag, each with its
// method, path, role, parameters, body and responses. The JSON itself needs no sign-in.
import { expect, test } from './fixtures';

test('a viewer reads the API description grouped by tag, with roles', async ({ viewerPage }) => {
  await viewerPage.goto('/api-docs');
  await expect(viewerPage.getByRole('heading', { name: /EventDesk HTTP API/ })).toBeVisible();
  await expect(viewerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API' })).toHaveAttribute('aria-current', 'page');

  const deadLetters = viewerPage.getByTestId('api-tag-Dead letters');
  const republish = deadLetters.getByRole('article', { name: 'POST /api/dead-letters/{id}/republish', exact: true });
  await expect(republish).toContainText('POST');
  await expect(republish).toContainText('/api/dead-letters/{id}/republish');
  await expect(republish).toContainText('role operator');
  await expect(republish).toContainText('force: admin');
  await expect(republish.getByRole('link', { name: 'RepublishRequest' })).toBeVisible(); // the body schema, named
  await expect(republish).toContainText('routingKey'); // and its fields in place
  await expect(republish).toContainText('contract_violation');

  const users = viewerPage.getByTestId('api-tag-Access').getByRole('article', { name: 'POST /api/users', exact: true });
  await expect(users).toContainText('role admin');

  const list = deadLetters.getByRole('article', { name: 'GET /api/dead-letters', exact: true });
  await expect(list.getByRole('row', { name: /^status/ })).toContainText('"pending" | "republished" | "discarded"');

  // the schema the body links to is on the page
  await republish.getByRole('link', { name: 'RepublishRequest' }).click();
  await expect(viewerPage.locator('#schema-RepublishRequest')).toContainText('routingKey');
});

test('GET /api/openapi.json answers without a sign-in', async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const response = await anonymous.get('/api/openapi.json');
  expect(response.status()).toBe(200);
  const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { 'x-required-role': string }>> };
  expect(doc.openapi).toMatch(/^3\.1\./);
  expect(doc.paths['/api/dead-letters/{id}/republish'].post['x-required-role']).toBe('operator');
  await anonymous.dispose();
});

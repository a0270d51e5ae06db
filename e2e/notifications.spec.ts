// Notifications (issue 16): an admin creates a webhook channel in Settings (its signing secret
// shown once), presses "Send test", a local receiver gets the signed test, and the channel's
// deliveries table shows it delivered.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';

interface Got {
  event: string;
  delivery: string;
  signature: string;
  raw: Buffer;
}

let server: Server;
let hookUrl = '';
const received: Got[] = [];

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-eventdesk-event']),
        delivery: String(req.headers['x-eventdesk-delivery']),
        signature: String(req.headers['x-eventdesk-signature']),
        raw: Buffer.concat(chunks),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eventdesk`;
});
test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('admin creates a channel in Settings and its "Send test" arrives', async ({ page, baseURL }) => {
  const name = `e2e-hook-${Date.now()}`;
  await page.goto('/settings');
  const form = page.getByRole('form', { name: 'Create channel' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('URL (http or https)').fill(hookUrl);
  await form.getByRole('button', { name: 'Create channel' }).click();
  const secret = (await page.getByTestId('new-channel-secret').textContent())!.trim();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);

  const row = page.locator(`[data-testid="channel-row"][data-name="${name}"]`);
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Send test' }).click();

  await expect.poll(() => received.filter((r) => r.event === 'test').length, { timeout: 20_000 }).toBe(1);
  const got = received.find((r) => r.event === 'test')!;
  expect(got.signature).toBe(`sha256=${createHmac('sha256', secret).update(got.raw).digest('hex')}`);
  const body = JSON.parse(got.raw.toString('utf8')) as { type: string; deliveryId: string; console: string; summary: string };
  expect(body).toMatchObject({ type: 'test', deliveryId: got.delivery, console: `${baseURL}/settings` });
  expect(body.summary).toContain(name);

  const delivered = page.locator('[data-testid="delivery-row"][data-event="test"]');
  await expect(delivered).toHaveAttribute('data-status', 'delivered');
  await expect(delivered.getByTestId('delivery-result')).toHaveText('204');

  // the secret was shown once: after Done and a reload it is nowhere on the page
  await page.getByRole('button', { name: 'Done' }).click();
  await page.reload();
  await expect(row).toBeVisible();
  await expect(page.getByTestId('new-channel-secret')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await expect(delivered).toHaveAttribute('data-status', 'delivered');
  await page.getByTestId('notifications-panel').screenshot({ path: 'test-results/notifications-panel.png' });
});

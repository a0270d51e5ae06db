// What a viewer sees and may do: no admin settings, no retry buttons, and the API refuses its
// writes even when called directly from the browser. Disabling a user ends their session.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { expect, test } from './fixtures';

async function insertDeadLetter(): Promise<string> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    const body = Buffer.from(JSON.stringify({ eventId: randomUUID(), email: 'jane.doe@example.com', paymentId: 'pay_123456789', amount: 42 }, null, 2));
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO dead_letters (event_key, event_key_source, event_type, version, queue, reason, first_failed_at, last_failed_at,
         validation_status, group_id, body_size, body_sha256, error_message, content_type)
       VALUES ($1, 'event-id', 'payment.failed', '1', $2, 'rejected', now(), now(), 'unknown-type', $3, $4, $5, $6, 'application/json')
       RETURNING id`,
      [
        randomUUID(),
        `e2e-auth-${randomUUID().slice(0, 8)}`,
        randomUUID().replace(/-/g, ''),
        body.length,
        'x'.repeat(64),
        'charge declined for jane.doe@example.com',
      ],
    );
    const id = rows[0].id;
    const msg = await client.query<{ id: string }>(
      `INSERT INTO dead_letter_messages (dead_letter_id, fingerprint, body, properties, headers) VALUES ($1, $2, $3, '{}', $4) RETURNING id`,
      [id, randomUUID(), body, JSON.stringify({ 'x-customer-email': 'jane.doe@example.com' })],
    );
    await client.query(`UPDATE dead_letters SET latest_message_id = $2 WHERE id = $1`, [id, msg.rows[0].id]);
    return id;
  } finally {
    await client.end();
  }
}

async function deleteDeadLetter(id: string) {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  await client.query(`DELETE FROM dead_letters WHERE id = $1`, [id]).finally(() => client.end());
}

test('a viewer sees no admin settings and no retry buttons', async ({ viewerPage, viewerUser, operatorPage }) => {
  await viewerPage.goto('/settings');
  await expect(viewerPage.getByTestId('user-role')).toHaveText('viewer');
  await expect(viewerPage.getByTestId('settings-admin-only')).toContainText(viewerUser.email);
  await expect(viewerPage.getByTestId('users-table')).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: 'Create token' })).toHaveCount(0);

  const id = await insertDeadLetter();
  try {
    await viewerPage.goto(`/dead-letters/${id}`);
    await expect(viewerPage.getByText('payment.failed').first()).toBeVisible();
    await expect(viewerPage.getByRole('button', { name: /retry|republish|discard|restore/i })).toHaveCount(0);
    // the same page shows the buttons to an operator, so their absence above is the role's doing
    await operatorPage.goto(`/dead-letters/${id}`);
    await expect(operatorPage.getByRole('button', { name: /^Retry\b/ })).toBeVisible();
    // the list's search says viewers' searches skip masked values; an operator's search has no such note
    await viewerPage.goto('/');
    await expect(viewerPage.getByTestId('masked-search-note')).toHaveText('Masked values are not searched');
    await operatorPage.goto('/');
    await expect(operatorPage.getByRole('searchbox', { name: 'Search' })).toBeVisible();
    await expect(operatorPage.getByTestId('masked-search-note')).toHaveCount(0);
  } finally {
    await deleteDeadLetter(id);
  }
});

test("a viewer's direct API write is refused with 403, an operator's is not", async ({ viewerPage, operatorPage }) => {
  const discard = (page: typeof viewerPage) =>
    page.evaluate(async (url) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'e2e' }) });
      return { status: res.status, body: await res.json() };
    }, `/api/dead-letters/${randomUUID()}/discard`);
  await viewerPage.goto('/');
  const refused = await discard(viewerPage);
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('forbidden');

  await operatorPage.goto('/');
  const allowed = await discard(operatorPage);
  expect(allowed.status).toBe(404); // allowed; there is just no such dead letter
});

test('viewers see masked fields; admins see them in full', async ({ viewerPage, page }) => {
  const id = await insertDeadLetter();
  try {
    await viewerPage.goto(`/dead-letters/${id}`);
    await expect(viewerPage.getByText(/j\*\*\*@e\*\*\*\.com/).first()).toBeVisible();
    await expect(viewerPage.locator('body')).not.toContainText('jane.doe@example.com');
    await expect(viewerPage.locator('body')).not.toContainText('pay_123456789');

    await page.goto(`/dead-letters/${id}`);
    await expect(page.getByText(/jane\.doe@example\.com/).first()).toBeVisible();
  } finally {
    await deleteDeadLetter(id);
  }
});

test("disabling a user in Settings ends that user's session", async ({ page, viewerPage, viewerUser }) => {
  await viewerPage.goto('/groups');
  await expect(viewerPage.getByTestId('user-role')).toHaveText('viewer');

  await page.goto('/settings');
  const row = page.locator(`[data-testid="user-row"][data-email="${viewerUser.email}"]`);
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row).toContainText('disabled');

  await viewerPage.reload();
  await expect(viewerPage).toHaveURL(/\/sign-in/);
  await expect(viewerPage.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const status = await viewerPage.evaluate(async () => (await fetch('/api/me')).status);
  expect(status).toBe(401);
});

// Issue 17, speak to operators in sentences: history and audit entries read as sentences with
// their raw JSON behind a toggle, AMQP properties under labels that say what they are, failure
// groups named type · queue · reason · error (the /groups rows and the list's group chip), and
// the group actions an operator has and a viewer has not.
import type { Seeded } from '../tests/integration/triage-seed';
import { expect, test } from './fixtures';
import { ensureSignedIn, seed, tag, unseed, withDb } from './triage-seed';

const t = tag();
const queue = `sentences-e2e-${t}`;
const actor = `sentences-${t}@example.test`;
let rows: Seeded[] = [];

test.beforeAll(async () => {
  rows = await seed([
    {
      queue,
      eventType: 'order.created',
      reason: 'rejected',
      errorMessage: 'payment gateway unavailable',
      properties: { contentType: 'application/json', deliveryMode: 2, timestamp: { $timestamp: 1764236400 } },
      headers: { 'x-eventdesk-republish-count': 1 },
      history: [
        {
          action: 'dead-lettered',
          actor: 'drain',
          at: new Date('2026-11-27T10:00:00Z'),
          details: { queue, reason: 'rejected', count: 1, failedAt: '2026-11-27T10:00:00.000Z', republishCount: 0 },
        },
        {
          action: 'republished',
          actor,
          reason: 'gateway back',
          at: new Date('2026-11-27T10:05:00Z'),
          details: { intentId: 'i', republishCount: 1, edited: false, target: { kind: 'origin', exchange: '', routingKey: queue }, settledBy: 'confirm' },
        },
      ],
    },
    // a group without an error message
    { queue, eventType: 'order.created', reason: 'expired', errorMessage: null, validationStatus: 'valid' },
  ]);
  await withDb((c) =>
    c.query(`INSERT INTO audit_log (actor, action, target, reason, details) VALUES ($1, 'discard', $2, 'duplicate order', $3)`, [
      actor,
      `dead-letter:${rows[0].id}`,
      JSON.stringify({ deadLetterId: rows[0].id, from: 'pending', to: 'discarded' }),
    ]),
  );
});

test.afterAll(async () => {
  await unseed(rows);
});

test('history entries read as sentences, their JSON behind "raw"; a property reads "persistent" and a time', async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto(`/dead-letters/${rows[0].id}`);
  const entries = page.getByTestId('history-entry');
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0).getByTestId('history-sentence')).toHaveText(`Dead-lettered by RabbitMQ from ${queue}, reason rejected (death 1 in this queue)`);
  await expect(entries.nth(1).getByTestId('history-sentence')).toHaveText(`Republished by ${actor} (retry 1) to its original queue ${queue}`);
  await expect(entries.nth(1)).toContainText('gateway back');
  await expect(page.getByTestId('history').getByTestId('raw-json')).toHaveCount(0);
  await entries.nth(1).getByTestId('raw-toggle').click();
  await expect(entries.nth(1).getByTestId('raw-json')).toContainText('"intentId": "i"');

  const props = page.getByTestId('properties');
  await expect(props.locator('[data-key="deliveryMode"]')).toContainText('Delivery mode');
  await expect(props.locator('[data-key="deliveryMode"] [data-testid="amqp-value"]')).toHaveText('persistent');
  await expect(props.locator('[data-key="timestamp"]')).toContainText('Sent at');
  await expect(props.locator('[data-key="timestamp"] [data-testid="amqp-value"]')).toContainText('2025-11-27');
  await props.locator('[data-key="timestamp"]').getByTestId('raw-toggle').click();
  await expect(props.locator('[data-key="timestamp"]').getByTestId('raw-json')).toContainText('"$timestamp": 1764236400');
  await expect(page.getByTestId('headers').locator('[data-key="x-eventdesk-republish-count"]')).toContainText('Retries (EventDesk)');
  await expect(page.getByTestId('summary')).toContainText('Deaths (by RabbitMQ)');
  await expect(page.getByTestId('summary').getByTestId('group-link')).toHaveText(`order.created · ${queue} · rejected · payment gateway unavailable`);
});

test('audit lines read as sentences, their JSON behind "raw"', async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto(`/audit?actor=${encodeURIComponent(actor)}`);
  const row = page.getByTestId('audit-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('audit-sentence')).toHaveText(`${actor} discarded dead letter ${rows[0].id.slice(0, 8)} (pending → discarded)`);
  await expect(row.getByTestId('raw-json')).toHaveCount(0);
  await row.getByTestId('raw-toggle').click();
  await expect(row.getByTestId('raw-json')).toContainText('"from": "pending"');
});

test('the list’s group chip names the group by what it is', async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto(`/?groupId=${rows[0].groupId}`);
  await expect(page.getByTestId('filter-chip-groupId')).toContainText(`order.created · ${queue} · rejected · payment gateway unavailable`);
});

test('/groups rows are named, with Retry group and Discard group for an operator', async ({ operatorPage: page }) => {
  await page.goto('/groups');
  const row = page.locator(`[data-testid="group-row"][data-group-id="${rows[0].groupId}"]`);
  await expect(row.getByTestId('group-name')).toContainText(`order.created · ${queue} · rejected · payment gateway unavailable`);
  const quiet = page.locator(`[data-testid="group-row"][data-group-id="${rows[1].groupId}"]`);
  await expect(quiet.getByTestId('group-name')).toContainText(`order.created · ${queue} · expired · no error message`);
  await expect(quiet.getByTestId('group-name')).not.toContainText('valid');
  await expect(row.getByRole('button', { name: 'Retry group' })).toBeVisible();
  await row.getByRole('button', { name: 'Discard group' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`order.created · ${queue} · rejected`);
  await page.keyboard.press('Escape');
});

test('/groups rows offer a viewer no actions', async ({ viewerPage: page }) => {
  await page.goto('/groups');
  const row = page.locator(`[data-testid="group-row"][data-group-id="${rows[0].groupId}"]`);
  await expect(row.getByTestId('group-name')).toContainText(`order.created · ${queue} · rejected`);
  await expect(page.getByTestId('group-actions')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Retry group' })).toHaveCount(0);
});

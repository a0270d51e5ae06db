// Incidents (issue 16): an operator acknowledges a failure group, assigns it to themself, adds a
// note, snoozes and resolves it from the group's page; the /groups tabs' counts follow ("Assigned
// to me" keeps the counts to this spec's own group). A viewer reads the page without actions. An
// admin, and an operator, assign the group to another user with "Assign to…".
import pg from 'pg';
import { createTestUser } from '../tests/helpers/auth';
import type { Seeded } from '../tests/integration/triage-seed';
import { expect, test } from './fixtures';
import { seed, tag, unseed } from './triage-seed';

const t = tag();
const queue = `incidents-e2e-${t}`;
let rows: Seeded[] = [];

test.beforeAll(async () => {
  const now = Date.now();
  rows = await seed([
    { queue, eventType: 'payment.failed', errorMessage: 'Payment 48213 declined by gateway', lastFailedAt: new Date(now - 3 * 3_600_000) },
    { queue, eventType: 'payment.failed', errorMessage: 'Payment 77 declined by gateway', lastFailedAt: new Date(now - 60_000) },
  ]);
});

test.afterAll(async () => {
  await unseed(rows);
});

test('acknowledge, assign to me, note, snooze and resolve from the group page; the tabs count it', async ({ operatorPage: page, operatorUser }) => {
  const id = rows[0].groupId;
  expect(rows[1].groupId).toBe(id);
  await page.goto(`/groups/${id}`);
  const detail = page.getByTestId('group-detail');
  await expect(page.getByTestId('group-title')).toContainText(`payment.failed · ${queue} · rejected · Payment <n> declined by gateway`);
  await expect(detail.getByTestId('group-status').first()).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('group-dead-letter')).toHaveCount(2);

  const actions = page.getByTestId('group-actions-panel');
  await actions.getByLabel('Reason').fill('on it');
  await actions.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(detail.getByTestId('group-status').first()).toHaveAttribute('data-status', 'acknowledged');
  await expect(page.getByTestId('group-history-entry').first()).toContainText(`Acknowledged by ${operatorUser.email} — “on it”`);

  await actions.getByRole('button', { name: 'Assign to me' }).click();
  await expect(detail.getByTestId('group-assignee').first()).toHaveText(`assigned to ${operatorUser.email}`);

  // the tabs, narrowed to this operator's groups: this one, acknowledged
  await page.goto('/groups?assignee=me&status=all');
  await expect(page.getByRole('tab', { name: /^Open / })).toHaveText('Open (0)');
  await expect(page.getByRole('tab', { name: /^Acknowledged / })).toHaveText('Acknowledged (1)');
  const row = page.locator(`[data-testid="group-row"][data-group-id="${id}"]`);
  await expect(row.getByTestId('group-assignee')).toHaveText(operatorUser.email);
  // two dead letters still pending: Resolve asks first
  await row.getByRole('button', { name: 'Resolve' }).click();
  const confirm = row.getByTestId('resolve-confirm');
  await expect(confirm).toContainText('2 messages are still pending in this group. Resolving retries or discards none of them');
  await expect(page.getByRole('tab', { name: /^Resolved / })).toHaveText('Resolved (0)');
  await confirm.getByRole('button', { name: 'Resolve anyway' }).click();
  await expect(page.getByRole('tab', { name: /^Resolved / })).toHaveText('Resolved (1)');
  const notice = page.getByTestId('group-change-notice');
  await expect(notice).toHaveText(`Resolved: payment.failed · ${queue} · rejected · Payment <n> declined by gateway×`);
  await row.getByRole('button', { name: 'Reopen' }).click();
  await expect(page.getByRole('tab', { name: /^Open / })).toHaveText('Open (1)');
  await expect(page.getByRole('tab', { name: /^Acknowledged / })).toHaveText('Acknowledged (0)');
  await expect(notice).toContainText('Reopened: payment.failed');

  // on the Open tab, an acknowledged group leaves the list: the notice says where it went
  await page.goto('/groups?assignee=me');
  await row.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(row).toHaveCount(0);
  await expect(notice).toContainText(`Acknowledged: payment.failed · ${queue}`);
  await expect(notice).toContainText('Now under Acknowledged.');
  await notice.getByRole('link', { name: 'Acknowledged' }).click();
  await expect(page).toHaveURL(/status=acknowledged/);
  await expect(row).toHaveCount(1);

  await page.goto(`/groups/${id}`);
  const note = '**Root cause**: gateway <b>timeout</b>\n- retry after the fix';
  await page.getByLabel('New note').fill(note);
  await page.getByRole('button', { name: 'Add note' }).click();
  // Markdown and HTML shown as text, exactly as written
  await expect(page.getByTestId('group-note-text')).toHaveText(note, { useInnerText: true });
  await expect(page.getByTestId('group-note-text').locator('b')).toHaveCount(0);

  await actions.getByRole('button', { name: 'Snooze…' }).click();
  await page.getByTestId('snooze-options').getByRole('button', { name: '1 hour' }).click();
  await expect(detail.getByTestId('group-status').first()).toHaveAttribute('data-status', 'snoozed');
  await expect(detail.getByTestId('group-status').first()).toContainText('Snoozed until');

  await actions.getByLabel('Reason').fill('fixed in 1.4.2');
  await actions.getByRole('button', { name: 'Resolve' }).click();
  await actions.getByTestId('resolve-confirm').getByRole('button', { name: 'Resolve anyway' }).click();
  await expect(actions.getByTestId('group-change-done')).toHaveText('Resolved.');
  await expect(detail.getByTestId('group-status').first()).toHaveAttribute('data-status', 'resolved');
  await expect(page.getByTestId('group-history-entry').first()).toContainText('Resolved by');
  await expect(page.getByTestId('group-history-entry').first()).toContainText('fixed in 1.4.2');

  await page.goto('/groups?assignee=me');
  await expect(page.getByRole('tab', { name: /^Open / })).toHaveText('Open (0)');
  await expect(page.getByRole('tab', { name: /^Resolved / })).toHaveText('Resolved (1)');
  await expect(page.getByTestId('groups-empty-tab')).toBeVisible();
});

test('a viewer reads a group without its actions', async ({ viewerPage: page }) => {
  await page.goto(`/groups/${rows[0].groupId}`);
  await expect(page.getByTestId('group-facts')).toContainText('Signature');
  await expect(page.getByTestId('group-actions-panel')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add note' })).toHaveCount(0);
});

test('an admin assigns the group to another user', async ({ page, operatorUser }) => {
  await page.goto(`/groups/${rows[0].groupId}`);
  await page.getByLabel('Assign to a user').selectOption({ label: operatorUser.email });
  await expect(page.getByTestId('group-detail').getByTestId('group-assignee').first()).toHaveText(`assigned to ${operatorUser.email}`);
  await expect(page.getByTestId('group-history-entry').first()).toContainText(`Assigned to ${operatorUser.email} by`);
});

test('an operator assigns the group to another operator from the group page; the row shows them', async ({ operatorPage: page, operatorUser, viewerUser }) => {
  const url = process.env.E2E_DATABASE_URL!;
  const teammate = await createTestUser(url, 'operator', 'teammate');
  try {
    await page.goto(`/groups/${rows[0].groupId}`);
    const select = page.getByTestId('group-actions-panel').getByLabel('Assign to a user');
    // active operators and admins (GET /api/users/assignable), not viewers
    await expect(select.locator('option', { hasText: teammate.email })).toHaveCount(1);
    await expect(select.locator('option', { hasText: operatorUser.email })).toHaveCount(1);
    await expect(select.locator('option', { hasText: viewerUser.email })).toHaveCount(0);
    await select.selectOption({ label: teammate.email });
    await expect(page.getByTestId('group-detail').getByTestId('group-assignee').first()).toHaveText(`assigned to ${teammate.email}`);
    await expect(page.getByTestId('group-history-entry').first()).toContainText(`Assigned to ${teammate.email} by ${operatorUser.email}`);

    await page.goto('/groups?status=all');
    const row = page.locator(`[data-testid="group-row"][data-group-id="${rows[0].groupId}"]`);
    await expect(row.getByTestId('group-assignee')).toHaveText(teammate.email);
  } finally {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DELETE FROM "users" WHERE "id" = $1`, [teammate.id]).finally(() => client.end());
  }
});

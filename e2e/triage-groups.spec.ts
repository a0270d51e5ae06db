// The groups view: one bug = one line with count, pending, sparkline; a click filters the list.
import { expect, test } from '@playwright/test';
import type { Seeded } from '../tests/integration/triage-seed';
import { ensureSignedIn, seed, tag, unseed } from './triage-seed';

const t = tag();
const queue = `triage-e2e-${t}-groups`;
let rows: Seeded[] = [];

test.beforeAll(async () => {
  const now = Date.now();
  rows = await seed([
    // differ only in ids and numbers: one group
    {
      queue,
      eventType: 'payment.failed',
      errorMessage: `Payment 48213 for user 7f3c2a10-1111-4e2b-9c3d-0123456789ab declined`,
      lastFailedAt: new Date(now - 3 * 3_600_000),
    },
    {
      queue,
      eventType: 'payment.failed',
      errorMessage: `Payment 77 for user 0a1b2c3d-2222-4e2b-9c3d-ba9876543210 declined`,
      lastFailedAt: new Date(now - 60_000),
      status: 'discarded',
    },
    // another bug
    { queue, eventType: 'payment.failed', errorMessage: 'Ledger unavailable', lastFailedAt: new Date(now - 120_000) },
  ]);
});

test.afterAll(async () => {
  await unseed(rows);
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

test('groups view shows one line per bug and opens the list filtered by it', async ({ page }) => {
  expect(rows[0].groupId).toBe(rows[1].groupId);
  await page.goto('/groups');
  const group = page.locator(`[data-testid="group-row"][data-group-id="${rows[0].groupId}"]`);
  await expect(group).toBeVisible();
  await expect(group).toContainText('Payment <n> for user <uuid> declined');
  await expect(group.getByTestId('group-count')).toHaveText('2');
  await expect(group.getByTestId('group-pending')).toHaveText('1');
  await expect(group.getByTestId('sparkline')).toHaveAttribute('aria-label', '2 deaths in the last 24 hours');
  await expect(page.locator(`[data-testid="group-row"][data-group-id="${rows[2].groupId}"]`)).toBeVisible();

  await group.getByTestId('group-count').click();
  await expect(page).toHaveURL(new RegExp(`/\\?groupId=${rows[0].groupId}`));
  await expect(page.getByTestId('dead-letter-row')).toHaveCount(2);
  // the chip names the group by what it is, not by its id
  await expect(page.getByTestId('active-filters')).toContainText('Payment <n> for user <uuid> declined');
});

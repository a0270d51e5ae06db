// Several DLQs (issue 19): the filter bar offers the DLQ when more than one is configured or
// stored, with a count per DLQ, and the choice filters the list and stays in the URL.
import { expect, test } from '@playwright/test';
import type { Seeded } from '../tests/integration/triage-seed';
import { ensureSignedIn, seed, tag, unseed, withDb } from './triage-seed';

const t = tag();
const queue = `dlqs-e2e-${t}`;
const other = `dlqs-e2e-${t}.billing.dlq`;
let rows: Seeded[] = [];

test.beforeAll(async () => {
  const base = Date.now() - 6_000;
  rows = await seed(Array.from({ length: 3 }, (_, i) => ({ eventType: 'user.created', queue, lastFailedAt: new Date(base + i * 1000) })));
  // the last one was drained from another DLQ
  await withDb((c) => c.query(`UPDATE dead_letters SET dlq = $1 WHERE id = $2`, [other, rows[2].id]));
});

test.afterAll(async () => {
  await unseed(rows);
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

test('the DLQ filter lists each DLQ with its count and filters the list', async ({ page }) => {
  await page.goto(`/?queue=${queue}`);
  const rowsOf = page.getByTestId('dead-letter-row');
  await expect(rowsOf).toHaveCount(3);
  const dlq = page.getByLabel('DLQ', { exact: true });
  await dlq.selectOption({ label: `${other} (1 dead letter)` });
  await expect(page).toHaveURL(new RegExp(`dlq=${other.replace(/\./g, '\\.')}`));
  await expect(rowsOf).toHaveCount(1);
  await expect(rowsOf.first()).toHaveAttribute('data-id', rows[2].id);
  await page.reload();
  await expect(dlq).toHaveValue(other);
  await expect(rowsOf).toHaveCount(1);
  await dlq.selectOption('');
  await expect(rowsOf).toHaveCount(3);
});

test('the detail names the DLQ of the latest death', async ({ page }) => {
  await page.goto(`/dead-letters/${rows[2].id}`);
  await expect(page.getByTestId('summary')).toContainText(`DLQ${other}`);
});

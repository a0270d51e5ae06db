// The dead-letter list (issue 4) and the console's first page (issue 2): stored dead letters
// and drain state, filters and search from the UI, URL round-trip, keyboard navigation.
import { expect, test } from '@playwright/test';
import type { Seeded } from '../tests/integration/triage-seed';
import { ensureSignedIn, seed, tag, unseed } from './triage-seed';

const t = tag();
const qA = `triage-e2e-${t}-alpha`;
const qB = `triage-e2e-${t}-beta`;
let rows: Seeded[] = [];

test.beforeAll(async () => {
  // the newest failures in the e2e database when this file runs (the list's first page is the
  // newest 50, and the specs before it leave their own dead letters there)
  const base = Date.now() - 6_000;
  rows = await seed(
    Array.from({ length: 6 }, (_, i) => ({
      eventType: i % 2 ? 'course.completed' : 'user.created',
      queue: i < 4 ? qA : qB,
      reason: i === 5 ? ('expired' as const) : ('rejected' as const),
      validationStatus: i === 1 ? 'invalid' : 'valid',
      errorMessage: i === 2 ? `Wombat${t} refused the payload` : `Handler failed in ${t} step ${i}`,
      lastFailedAt: new Date(base + i * 1000),
    })),
  );
});

test.afterAll(async () => {
  await unseed(rows);
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

const rowsOf = (page: import('@playwright/test').Page) => page.getByTestId('dead-letter-row');

test('first page shows stored dead letters and the drain state', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status-strip')).toBeVisible();
  await expect(page.getByTestId('drain-state')).not.toHaveText('…');
  await expect(page.getByTestId('stored-count')).toHaveText(/^\d[\d,]*$/);
  await expect(page.getByTestId('dead-letter-table')).toContainText(qA);
  await expect(page.getByRole('columnheader', { name: 'Error message' })).toBeVisible();
});

test('filters and searches from the UI, and the URL keeps the view', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Queue', { exact: true }).selectOption({ label: `${qA} (4 dead letters)` });
  await expect(page).toHaveURL(new RegExp(`queue=${qA}`));
  await expect(rowsOf(page)).toHaveCount(4);
  await page.getByLabel('Validity', { exact: true }).selectOption('invalid');
  await expect(page).toHaveURL(/validity=invalid/);
  await expect(rowsOf(page)).toHaveCount(1);
  await expect(rowsOf(page).first()).toHaveAttribute('data-id', rows[1].id);
  await page.getByLabel('Validity', { exact: true }).selectOption('');
  await expect(rowsOf(page)).toHaveCount(4);

  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill(`wombat${t}`);
  await search.press('Enter');
  await expect(page).toHaveURL(new RegExp(`q=wombat${t}`));
  await expect(rowsOf(page)).toHaveCount(1);
  await expect(rowsOf(page).first()).toContainText(`Wombat${t} refused the payload`);

  await page.reload();
  await expect(page.getByLabel('Queue', { exact: true })).toHaveValue(qA);
  await expect(search).toHaveValue(`wombat${t}`);
  await expect(rowsOf(page)).toHaveCount(1);
});

test('a shared link with filters shows the same view', async ({ page }) => {
  await page.goto(`/?queue=${qB}&reason=expired`);
  await expect(rowsOf(page)).toHaveCount(1);
  await expect(rowsOf(page).first()).toHaveAttribute('data-id', rows[5].id);
  await expect(page.getByLabel('Reason', { exact: true })).toHaveValue('expired');
  await page.goto(`/?queue=${qB}&status=discarded`);
  await expect(page.getByTestId('list-empty')).toContainText('No dead letters match');
});

test('keyboard: j/k move, Enter opens, Esc goes back, / searches', async ({ page }) => {
  await page.goto(`/?queue=${qA}`);
  await expect(rowsOf(page)).toHaveCount(4);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  await expect(rowsOf(page).nth(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(rowsOf(page).nth(2)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('k');
  await expect(rowsOf(page).nth(1)).toHaveAttribute('aria-selected', 'true');
  const id = await rowsOf(page).nth(1).getAttribute('data-id');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/dead-letters/${id}`));
  await expect(page.getByTestId('dead-letter-detail')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(new RegExp(`/\\?queue=${qA}$`));
  await expect(rowsOf(page)).toHaveCount(4);
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Search' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('searchbox', { name: 'Search' })).not.toBeFocused();
});

test('the page line says how many the filters match; paging brings the table top into view', async ({ page }) => {
  const queue = `triage-e2e-${t}-paged`;
  const base = Date.now() - 60_000;
  const paged = await seed(
    Array.from({ length: 100 }, (_, i) => ({ eventType: 'user.created', queue, errorMessage: `Paged ${t} ${i}`, lastFailedAt: new Date(base + i * 100) })),
  );
  try {
    await page.setViewportSize({ width: 1280, height: 600 });
    await page.goto(`/?queue=${queue}`);
    await expect(rowsOf(page)).toHaveCount(50);
    await expect(page.getByTestId('page-info')).toHaveText('50 shown of 100 · newest first');
    // the buttons are under the table: an operator scrolls down to them
    const next = page.getByRole('button', { name: 'Next →' });
    await next.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(600);
    await next.click();
    await expect(page.getByTestId('page-info')).toHaveText('50 shown of 100');
    await expect(rowsOf(page).first()).toContainText(`Paged ${t} 49`);
    // the new page is shown from its first row, not from where the old one ended
    const top = await page.getByTestId('dead-letter-table').boundingBox();
    expect(top!.y).toBeGreaterThanOrEqual(0);
    expect(top!.y).toBeLessThan(600);
  } finally {
    await unseed(paged);
  }
});

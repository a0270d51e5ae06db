// Issue 17: the console from 1024 px up (no sideways page scroll, the error column using the
// free width), and on a 390 px phone during an incident (wide tables scroll inside their box, the
// page never sideways), dark mode (system preference, a toggle kept per user, set before paint), times
// in UTC or local kept per user, and viewers offered no controls they cannot use.
import type { Page } from '@playwright/test';
import type { Seeded } from '../tests/integration/triage-seed';
import { expect, test } from './fixtures';
import { ensureSignedIn, seed, tag, unseed } from './triage-seed';

const t = tag();
const queue = `layout-e2e-${t}`;
const longError = `Handler failed in ${t}: upstream enrollment-service answered 503 Service Unavailable after 3 retries (timeout 5000 ms) while charging the course fee for the learner`;
let rows: Seeded[] = [];

test.beforeAll(async () => {
  const base = Date.now() - 5 * 60_000; // "5 min ago"
  rows = await seed(
    Array.from({ length: 3 }, (_, i) => ({
      eventType: 'enrollment.completed',
      queue,
      errorMessage: i === 0 ? longError : `Handler failed in ${t} step ${i}`,
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

const listUrl = () => `/?queue=${encodeURIComponent(queue)}`;
const noSidewaysScroll = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));

/** 0 (black) to 1 (white) from a computed colour: rgb(...), lab(L ...) or oklch(L ...). */
async function bodyLightness(page: Page): Promise<number> {
  const color = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const oklch = /^oklch\(([\d.]+)(%?)/.exec(color);
  if (oklch) return Number(oklch[1]) / (oklch[2] ? 100 : 1);
  const lab = /^lab\(([\d.]+)/.exec(color);
  if (lab) return Number(lab[1]) / 100;
  const rgb = /^rgba?\(([\d.]+),?\s*([\d.]+),?\s*([\d.]+)/.exec(color);
  if (!rgb) throw new Error(`unreadable colour ${color}`);
  return (0.2126 * Number(rgb[1]) + 0.7152 * Number(rgb[2]) + 0.0722 * Number(rgb[3])) / 255;
}

/** Every console page, and what shows it is laid out. */
function consolePages(): [string, (p: Page) => Promise<void>][] {
  return [
    ['/', (p) => expect(p.getByTestId('dead-letter-row').first()).toBeVisible()],
    [listUrl(), (p) => expect(p.getByTestId('dead-letter-row')).toHaveCount(3)],
    [`/dead-letters/${rows[0].id}`, (p) => expect(p.getByText(longError).first()).toBeVisible()],
    ['/groups', (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/throughput', (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/queues', (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/audit', (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/settings', (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/api-docs', (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    [`/groups/${rows[0].groupId}`, (p) => expect(p.getByTestId('group-title')).toBeVisible()],
  ];
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  for (const [url, ready] of consolePages()) {
    await page.goto(url);
    await ready(page);
    await page.waitForTimeout(500); // data that arrives after the heading lays out too
    const { scroll, client } = await noSidewaysScroll(page);
    expect(scroll, `${url} scrolls sideways`).toBeLessThanOrEqual(client);
  }
}

test.describe('at 1024x768', () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test('no console page scrolls sideways', async ({ page }) => {
    await expectNoSidewaysScroll(page);
  });

  test('a viewer’s pages do not scroll sideways either', async ({ viewerPage }) => {
    for (const url of [listUrl(), `/dead-letters/${rows[0].id}`, '/settings']) {
      await viewerPage.goto(url);
      await expect(viewerPage.getByRole('heading', { level: 1 }).first()).toBeVisible();
      await viewerPage.waitForTimeout(500);
      const { scroll, client } = await noSidewaysScroll(viewerPage);
      expect(scroll, `${url} scrolls sideways`).toBeLessThanOrEqual(client);
    }
  });
});

test.describe('at 390x844 (a phone)', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('no console page scrolls sideways: the header wraps, wide tables scroll in their box', async ({ page }) => {
    await expectNoSidewaysScroll(page);
    // the list's table is wider than the phone, and scrolls inside its own box
    await page.goto(listUrl());
    const box = page.getByTestId('dead-letter-table').locator('..');
    await expect(page.getByTestId('dead-letter-row')).toHaveCount(3);
    const { inner, outer } = await box.evaluate((el) => ({ inner: el.scrollWidth, outer: el.clientWidth }));
    expect(inner).toBeGreaterThan(outer);
  });
});

test("the list's error column takes the free width, the whole message in its tooltip", async ({ page }) => {
  await page.goto(listUrl());
  const cell = page.locator(`[data-testid="dead-letter-row"][data-id="${rows[0].id}"] [data-testid="error-cell"]`);
  await expect(cell).toBeVisible();
  await expect(cell).toHaveAttribute('title', longError);
  const { cellWidth, chars35 } = await cell.evaluate((el) => {
    const probe = document.createElement('span');
    probe.style.font = getComputedStyle(el).font;
    probe.style.position = 'absolute';
    probe.style.whiteSpace = 'pre';
    probe.textContent = 'x'.repeat(35);
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return { cellWidth: el.getBoundingClientRect().width, chars35: width };
  });
  expect(cellWidth).toBeGreaterThan(chars35 * 1.5);
  const { scroll, client } = await noSidewaysScroll(page);
  expect(scroll).toBeLessThanOrEqual(client);
});

test('dark mode follows the system; the toggle overrides it and is kept across a reload', async ({ page }) => {
  // the theme script runs under the CSP (it carries the nonce) and hydrates without a mismatch
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|hydrat/i.test(m.text())) problems.push(m.text());
  });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(listUrl());
  await expect(page.getByTestId('dead-letter-row').first()).toBeVisible();
  expect(await bodyLightness(page)).toBeLessThan(0.3);
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);

  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
  expect(await bodyLightness(page)).toBeGreaterThan(0.8);

  // the toggle wins over the system's preference, and is there before the app hydrates
  await page.getByTestId('theme-dark').click();
  await expect(page.getByTestId('theme-dark')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);
  await page.reload({ waitUntil: 'domcontentloaded' });
  expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
  await expect(page.getByTestId('theme-dark')).toHaveAttribute('aria-pressed', 'true');
  expect(await bodyLightness(page)).toBeLessThan(0.3);

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('theme-light').click();
  await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(page.getByTestId('theme-light')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
  expect(await bodyLightness(page)).toBeGreaterThan(0.8);

  // back to the system's preference
  await page.getByTestId('theme-system').click();
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);
  expect(problems).toEqual([]);
});

test.describe('in Asia/Kolkata', () => {
  test.use({ timezoneId: 'Asia/Kolkata' });

  test('the UTC / local switch changes the shown times and is kept across a reload', async ({ page }) => {
    await page.goto(listUrl());
    const row = page.locator(`[data-testid="dead-letter-row"][data-id="${rows[0].id}"]`);
    const time = row.getByTestId('time-absolute');
    await expect(time).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    await expect(row.getByTestId('time-ago')).toHaveText(/^(4|5|6) min ago$/);
    const utc = await time.textContent();

    await page.getByTestId('time-local').click();
    await expect(time).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30$/);
    expect(await time.textContent()).not.toBe(utc);
    await expect(row.getByTestId('time-ago')).toHaveText(/min ago$/);

    await page.reload();
    await expect(page.getByTestId('time-local')).toHaveAttribute('aria-pressed', 'true');
    await expect(time).toHaveText(/\+05:30$/);

    await page.getByTestId('time-utc').click();
    await expect(time).toHaveText(utc!);
  });
});

test('a viewer sees no checkboxes, no Retry buttons, no bulk bar and no Settings tab', async ({ viewerPage, operatorPage, page }) => {
  await viewerPage.goto(listUrl());
  await expect(viewerPage.getByTestId('dead-letter-row')).toHaveCount(3);
  // no row or select-all checkboxes (the filter bar's "failed again after retry" filter is for everyone)
  await expect(viewerPage.getByTestId('dead-letter-table').getByRole('checkbox')).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: /retry|discard|republish/i })).toHaveCount(0);
  const nav = viewerPage.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Dead letters' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0);

  await viewerPage.goto(`/dead-letters/${rows[0].id}`);
  await expect(viewerPage.getByText(longError).first()).toBeVisible();
  await expect(viewerPage.getByRole('button', { name: /retry|discard|republish|edit/i })).toHaveCount(0);

  // an operator has the checkboxes and Retry; the admin the Settings tab
  await operatorPage.goto(listUrl());
  await expect(operatorPage.getByTestId('dead-letter-row')).toHaveCount(3);
  await expect(operatorPage.getByTestId('dead-letter-table').getByRole('checkbox').first()).toBeVisible();
  await expect(operatorPage.getByRole('button', { name: /^Retry\b/ }).first()).toBeVisible();
  await page.goto('/groups');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toBeVisible();
});

test('each page has a title of its own (tabs told apart in an incident); an unknown address leads back', async ({ page }) => {
  const titles: [string, string][] = [
    ['/', 'Dead letters · EventDesk'],
    ['/groups', 'Failure groups · EventDesk'],
    ['/audit', 'Audit log · EventDesk'],
    [`/dead-letters/${rows[0].id}`, `Dead letter ${rows[0].id.slice(0, 8)} · EventDesk`],
    [`/groups/${rows[0].groupId}`, `Group ${rows[0].groupId.slice(0, 16)} · EventDesk`],
  ];
  for (const [url, title] of titles) {
    await page.goto(url);
    await expect(page).toHaveTitle(title);
  }
  // Next's bare 404 page had no way back
  const res = await page.goto('/dead-letters');
  expect(res?.status()).toBe(404);
  await expect(page).toHaveTitle('Page not found · EventDesk');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Dead letters' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page).toHaveTitle('Dead letters · EventDesk');
});

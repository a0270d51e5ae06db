// Export (issue 17): the list's Export CSV / NDJSON buttons download a file whose rows are the
// rows the filtered list shows; /audit's Export CSV downloads the audit log; and a facet's count
// is the number of rows its value shows. Everything is filtered by this run's own queue (the e2e
// database is shared by every spec).
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import type { Seeded } from '../tests/integration/triage-seed';
import { ensureSignedIn, seed, tag, unseed } from './triage-seed';

const t = tag();
const queue = `export-e2e-${t}`;
let rows: Seeded[] = [];

test.beforeAll(async () => {
  const base = Date.now() - 10_000;
  rows = await seed(
    Array.from({ length: 7 }, (_, i) => ({
      eventType: i < 4 ? 'user.created' : 'order.placed',
      queue,
      status: i % 3 === 0 ? ('discarded' as const) : ('pending' as const),
      errorMessage: i === 1 ? '=HYPERLINK("http://evil.example")' : `Handler failed, step "${i}" in ${t}`,
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

const rowsOf = (page: Page) => page.getByTestId('dead-letter-row');

/** RFC 4180 records. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      out.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return out;
}

async function download(page: Page, name: string): Promise<{ file: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).first().click()]);
  return { file: dl.suggestedFilename(), text: await readFile(await dl.path(), 'utf8') };
}

test('Export CSV and NDJSON download the rows the filtered list shows', async ({ page }) => {
  await page.goto(`/?queue=${queue}&eventType=user.created`);
  await expect(rowsOf(page)).toHaveCount(4);
  const shown = await rowsOf(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

  const csv = await download(page, 'Export CSV');
  expect(csv.file).toMatch(/^dead-letters-\d{8}T\d{6}Z\.csv$/);
  const [header, ...records] = parseCsv(csv.text);
  expect(header.slice(0, 3)).toEqual(['id', 'eventId', 'eventType']);
  expect(records.map((r) => r[0])).toEqual(shown);
  expect(records.every((r) => r[header.indexOf('queue')] === queue && r[header.indexOf('eventType')] === 'user.created')).toBe(true);
  expect(records.map((r) => r[header.indexOf('errorMessage')])).toContain(`'=HYPERLINK("http://evil.example")`);

  const ndjson = await download(page, 'Export NDJSON');
  expect(ndjson.file).toMatch(/^dead-letters-\d{8}T\d{6}Z\.ndjson$/);
  const objects = ndjson.text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string });
  expect(objects.map((o) => o.id)).toEqual(shown);
});

test('a facet count equals the rows its value shows', async ({ page }) => {
  await page.goto(`/?queue=${queue}&eventType=order.placed`);
  await expect(rowsOf(page)).toHaveCount(3);
  const status = page.getByLabel('Status', { exact: true });
  const option = status.locator('option[value="discarded"]');
  await expect(option).toHaveText(/^discarded \(\d+ dead letters?\)$/);
  const count = Number(/\((\d+) dead letter/.exec((await option.textContent()) ?? '')![1]);
  expect(count).toBe(1); // i = 6 of the order.placed rows
  await status.selectOption('discarded');
  await expect(page).toHaveURL(/status=discarded/);
  await expect(rowsOf(page)).toHaveCount(count);

  // and the type facet under that status counts the other type's discarded ones
  const type = page.getByLabel('Event type', { exact: true }).locator('option[value="user.created"]');
  await expect(type).toHaveText(/^user\.created \(2 dead letters\)$/);
  await page.getByLabel('Event type', { exact: true }).selectOption('user.created');
  await expect(rowsOf(page)).toHaveCount(2);
});

test('/audit downloads the audit log as CSV', async ({ page }) => {
  await page.goto('/audit');
  const csv = await download(page, 'Export CSV');
  expect(csv.file).toMatch(/^audit-\d{8}T\d{6}Z\.csv$/);
  expect(parseCsv(csv.text)[0]).toEqual(['id', 'at', 'actor', 'action', 'target', 'reason', 'details']);
});

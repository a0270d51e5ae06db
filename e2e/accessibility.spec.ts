// Every console page passes axe-core's checks (WCAG 2 A/AA and best practices: contrast, roles,
// labels, heading order, table headers), in the light theme and the dark one, with data on it: a
// dead letter whose JSON body has nested values and an array (the detail's tree), its group, and
// the sign-in page. Found by this check and fixed: grey text under 4.5:1, a JSON tree whose items
// sat outside any group, empty table headers, headings that skipped a level, a link told from its
// text by colour only.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import type { Seeded } from '../tests/integration/triage-seed';
import { expect, test } from './fixtures';
import { ensureSignedIn, seed, tag, unseed } from './triage-seed';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's violations on the page as it is now, each with up to 3 of its elements. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(
    async () => (await (window as unknown as { axe: { run: (c: Document) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document)).violations,
  );
  return found.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')})`,
  );
}

const t = tag();
let rows: Seeded[] = [];

test.beforeAll(async () => {
  rows = await seed([
    {
      eventType: 'order.created',
      queue: `a11y-e2e-${t}`,
      errorMessage: `Handler failed in ${t}: amount must be a number`,
      validationStatus: 'invalid',
      body: {
        eventId: `a11y-${t}`,
        eventType: 'order.created',
        timestamp: '2026-12-07T10:00:00Z',
        version: '1.0',
        source: 'ecommerce-service',
        data: { orderId: 'o-1', userId: 'u-1', courseIds: ['c-1', 'c-2'], totalAmount: '49.90', currency: 'usd' },
      },
    },
  ]);
});

test.afterAll(async () => {
  await unseed(rows);
});

function pages(): [string, (p: Page) => Promise<void>][] {
  const heading = (p: Page) => expect(p.getByRole('heading', { level: 1 }).first()).toBeVisible();
  return [
    ['/', (p) => expect(p.getByTestId('dead-letter-row').first()).toBeVisible()],
    [`/dead-letters/${rows[0].id}`, (p) => expect(p.getByTestId('json-tree')).toBeVisible()],
    ['/groups', (p) => expect(p.getByTestId('group-row').first()).toBeVisible()],
    [`/groups/${rows[0].groupId}`, (p) => expect(p.getByTestId('group-title')).toBeVisible()],
    ['/throughput', heading],
    ['/queues', heading],
    ['/audit', heading],
    ['/settings', heading],
    ['/api-docs', heading],
    ['/no-such-page', heading],
  ];
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`in the ${scheme} theme`, () => {
    test.use({ colorScheme: scheme });

    test('every console page passes axe-core', async ({ page }) => {
      await ensureSignedIn(page);
      for (const [url, ready] of pages()) {
        await page.goto(url);
        await ready(page);
        await page.waitForTimeout(500); // data that arrives after the first paint is checked too
        expect(await violations(page), url).toEqual([]);
      }
    });
  });
}

test('the sign-in page passes axe-core', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  try {
    await page.goto('/sign-in');
    await expect(page.getByRole('button', { name: /sign in/i })).toBeVisible();
    expect(await violations(page)).toEqual([]);
  } finally {
    await context.close();
  }
});

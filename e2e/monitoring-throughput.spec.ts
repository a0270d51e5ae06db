// The throughput and queues pages against the e2e server, whose own tap counts what is
// published to E2E_EVENTS_EXCHANGE: counts rise without a reload while events flow, the legend
// toggles a type, ranges switch the bucket size, and a backlog without consumers shows red.
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import pg from 'pg';
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';

const suffix = randomBytes(3).toString('hex');
// Event types of this spec alone, so other specs' traffic never changes what is asserted.
const ALPHA = `e2emon${suffix}.alpha`;
const BETA = `e2emon${suffix}.beta`;

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through e2e/playwright.config.ts`);
  return v;
}

async function publish(counts: Record<string, number>): Promise<void> {
  const conn = await amqp.connect(env('E2E_AMQP_URL'));
  try {
    const ch = await conn.createConfirmChannel();
    for (const [type, n] of Object.entries(counts)) {
      for (let i = 0; i < n; i++) ch.publish(env('E2E_EVENTS_EXCHANGE'), type, Buffer.from(JSON.stringify({ eventType: type, i })));
    }
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

async function typeCount(page: Page, type: string): Promise<number> {
  const cell = page.getByTestId(`type-row-${type}`).getByTestId('published-hour');
  if ((await cell.count()) === 0) return 0;
  return Number((await cell.innerText()).replace(/[^0-9]/g, ''));
}

test.describe('monitoring: throughput page', () => {
  test('counts rise while events flow, without a reload', async ({ page }) => {
    await page.goto('/throughput');
    await expect(page.getByRole('heading', { name: 'Throughput' })).toBeVisible();
    // Wait until the tap is counting on this server before publishing.
    await expect.poll(async () => (await page.request.get('/api/stats/summary')).json().then((b) => b.tap?.state)).toBe('running');
    // A reload would start a new document and lose this mark. (Not 'framenavigated': it also
    // fires for same-document history updates, such as the router's own replaceState while
    // the page hydrates, which made this test flaky.)
    await page.evaluate(() => {
      (window as unknown as { __sameDocument?: boolean }).__sameDocument = true;
    });

    await publish({ [ALPHA]: 20, [BETA]: 7 });
    await expect.poll(() => typeCount(page, ALPHA), { timeout: 20_000 }).toBe(20);
    await expect.poll(() => typeCount(page, BETA)).toBe(7);
    // The total comes from another query (the charts' /api/stats/throughput), refreshed on its own
    // 5 s clock: when a tap flush landed between the two refreshes, the table already said 27
    // while the total did not yet, and reading it once here was the flake. Poll it as well.
    const total = async () => Number((await page.getByTestId('published-in-range').innerText()).replace(/[^0-9]/g, ''));
    await expect.poll(total, { timeout: 20_000 }).toBeGreaterThanOrEqual(27);
    const firstTotal = await total();

    await publish({ [ALPHA]: 15 });
    await expect.poll(() => typeCount(page, ALPHA), { timeout: 20_000 }).toBe(35);
    await expect.poll(total, { timeout: 20_000 }).toBeGreaterThanOrEqual(firstTotal + 15);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // the type links to its dead letters
    await expect(page.getByTestId(`type-row-${ALPHA}`).getByRole('link', { name: ALPHA })).toHaveAttribute('href', `/?eventType=${encodeURIComponent(ALPHA)}`);
  });

  test('the legend toggles a type in the charts', async ({ page }) => {
    await publish({ [ALPHA]: 3, [BETA]: 2 });
    await page.goto('/throughput');
    const chart = page.getByTestId('chart-published');
    await expect(chart.getByRole('img').first()).toBeVisible();
    await expect(chart).toHaveAttribute('data-visible-series', new RegExp(`(^|,)${ALPHA.replace('.', '\\.')}(,|$)`));

    const toggle = page.getByTestId(`legend-${ALPHA}`);
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await expect(chart).not.toHaveAttribute('data-visible-series', new RegExp(`(^|,)${ALPHA.replace('.', '\\.')}(,|$)`));
    await expect(chart).toHaveAttribute('data-visible-series', new RegExp(`(^|,)${BETA.replace('.', '\\.')}(,|$)`));
    await expect(page.getByTestId('chart-dead-lettered')).not.toHaveAttribute('data-visible-series', new RegExp(`(^|,)${ALPHA.replace('.', '\\.')}(,|$)`));
    // the error rate over all types stays drawn whichever types are hidden
    await expect(page.getByTestId('chart-error-rate')).toHaveAttribute('data-visible-series', /^all types,/);

    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(chart).toHaveAttribute('data-visible-series', new RegExp(`(^|,)${ALPHA.replace('.', '\\.')}(,|$)`));
  });

  test('switching ranges changes the bucket size and the URL', async ({ page }) => {
    await publish({ [BETA]: 1 });
    await page.goto('/throughput');
    const chart = page.getByTestId('chart-published');
    await expect(chart).toHaveAttribute('data-bucket-seconds', '60');

    await page.getByTestId('range-24h').click();
    await expect(page.getByTestId('range-24h')).toHaveAttribute('aria-checked', 'true');
    await expect(chart).toHaveAttribute('data-bucket-seconds', '900');
    expect(new URL(page.url()).searchParams.get('range')).toBe('24h');

    await page.getByTestId('range-7d').click();
    await expect(chart).toHaveAttribute('data-bucket-seconds', '3600');

    await page.getByTestId('range-15m').click();
    await expect(chart).toHaveAttribute('data-bucket-seconds', '60');

    // a shared link opens on its range
    await page.goto('/throughput?range=6h');
    await expect(page.getByTestId('chart-published')).toHaveAttribute('data-bucket-seconds', '300');
  });
});

test.describe('monitoring: queues', () => {
  const queue = `test.e2e.mon.stalled.${suffix}`;
  const groupId = `e2e-mon-${suffix}`;

  test.beforeAll(async () => {
    const conn = await amqp.connect(env('E2E_AMQP_URL'));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: false });
    for (let i = 0; i < 3; i++) ch.sendToQueue(queue, Buffer.from(`stuck ${i}`));
    await ch.waitForConfirms();
    await conn.close();
    // EventDesk learns a consumer queue from the dead letters that died in it (x-death).
    const db = new pg.Client({ connectionString: env('E2E_DATABASE_URL') });
    await db.connect();
    await db.query(
      `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, 'rejected', 'e2e', 1, 1, now(), now())`,
      [groupId, ALPHA, queue],
    );
    await db.end();
  });

  test.afterAll(async () => {
    const conn = await amqp.connect(env('E2E_AMQP_URL'));
    const ch = await conn.createChannel();
    await ch.deleteQueue(queue);
    await conn.close();
    const db = new pg.Client({ connectionString: env('E2E_DATABASE_URL') });
    await db.connect();
    await db.query('DELETE FROM failure_groups WHERE id = $1', [groupId]);
    await db.end();
  });

  test('a queue with messages and no consumer is flagged red', async ({ page }) => {
    await page.goto('/queues');
    const row = page.getByTestId(`queue-row-${queue}`);
    await expect(row).toHaveAttribute('data-status', 'no-consumers');
    await expect(row).toHaveClass(/bg-rose-50/);
    await expect(row.getByText('no consumers')).toBeVisible();
    await expect(page.getByTestId('no-consumer-alert')).toBeVisible();

    // the DLQ, drained by EventDesk, is not flagged
    const dlq = page.getByTestId(`queue-row-${env('E2E_DLQ_QUEUE')}`);
    await expect(dlq).not.toHaveAttribute('data-status', 'no-consumers');

    // and beside the throughput charts
    await page.goto('/throughput');
    await expect(page.getByTestId('queues-panel').getByTestId(`queue-row-${queue}`)).toHaveAttribute('data-status', 'no-consumers');
  });
});

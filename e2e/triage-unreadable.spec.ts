// Unreadable dead letters (parked by the drain, issue 14): the list marks them with their own
// badge, the status filter finds them, and the detail page shows the park reason and the bytes as
// text and hex (as text: a body that looks like HTML stays text).
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { ConsumeMessage } from 'amqplib';
import pg from 'pg';
import pino from 'pino';
import { recordUnreadable } from '../lib/bus/park';
import { prepareDeadLetter } from '../lib/bus/prepare-dead-letter';
import { ensureSignedIn, tag, withDb } from './triage-seed';

const t = tag();
const queue = `unreadable-e2e-${t}`;
const body = `<img src=x onerror="window.__xss=1"> parked ${t}`;
let id = '';

test.beforeAll(async () => {
  const pool = new pg.Pool({ connectionString: process.env.E2E_DATABASE_URL, max: 1 });
  try {
    const msg = {
      content: Buffer.from(body),
      fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'edu.events.dlq', consumerTag: 'c' },
      properties: { headers: { 'x-death': [{ queue, reason: 'rejected', count: 1 }] }, messageId: `m-${randomUUID()}` },
    } as unknown as ConsumeMessage;
    const recorded = await recordUnreadable(
      pool,
      prepareDeadLetter(msg),
      `refused by the database after 3 tries: 22008 e2e ${t}`,
      'eventdesk.parked.edu.events.dlq',
      new Date(),
      pino({ level: 'silent' }),
    );
    if (!recorded) throw new Error('not recorded');
    id = recorded;
  } finally {
    await pool.end();
  }
});

test.afterAll(async () => {
  if (id) await withDb((c) => c.query(`DELETE FROM dead_letters WHERE id = $1`, [id]));
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

test('the list shows an unreadable badge, the status filter finds it, the detail shows reason and bytes as text', async ({ page }) => {
  await page.goto(`/?queue=${encodeURIComponent(queue)}`);
  const row = page.getByTestId('dead-letter-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('status-badge-unreadable')).toBeVisible();

  await page.goto('/');
  await page.getByLabel('Status', { exact: true }).selectOption('unreadable');
  await expect(page).toHaveURL(/status=unreadable/);
  await expect(page.getByTestId('dead-letter-table')).toContainText(queue);
  // the rows of the unfiltered page stay on screen until the filtered page arrives (the list keeps
  // its previous data while it loads): wait for the filtered rows, not only for the URL
  const statuses = () =>
    page
      .getByTestId('dead-letter-row')
      .locator('[data-testid^="status-badge-"]')
      .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-testid')))]);
  await expect.poll(statuses).toEqual(['status-badge-unreadable']);

  await page.goto(`/dead-letters/${id}`);
  await expect(page.getByTestId('park-reason')).toContainText(`22008 e2e ${t}`);
  await expect(page.getByTestId('parked-text')).toContainText(`<img src=x onerror="window.__xss=1"> parked ${t}`);
  await expect(page.getByTestId('parked-panel').getByTestId('hex-dump')).toContainText('3c 69 6d 67');
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  // nothing claims a check that never ran
  await expect(page.getByTestId('validation')).toContainText('Not checked: this message was moved aside as unreadable');
  await expect(page.getByTestId('death-timeline')).toContainText('Not read: this message was moved aside as unreadable');
  // an operator's actions for an unreadable record (the default session is the admin)
  await expect(page.getByTestId('retry-unreadable')).toBeVisible();
});

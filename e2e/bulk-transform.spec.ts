// Fix a whole group at once in the browser: a failure group of order.created events whose
// currency the producer sent in lower case is retried with "Edit before retry": a builder step
// sets the field, the preview shows the diff and the counts, Retry stays off until the preview of
// the current transform has been shown, and the consumer's queue receives the edited bodies under
// the same eventIds. Also: what an operator (no force) sees, a transform the server refuses, and
// a job scheduled for later, cancelled before it starts.
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import pg from 'pg';
import { databaseName } from '../lib/db/ensure-database';
import { seedDeadLetters } from '../tests/integration/republish-fixtures';
import { uniqueName } from '../tests/helpers/amqp';
import { ignoreCleanupError } from '../tests/helpers/cleanup';
import { expect, test } from './fixtures';

let pool: pg.Pool;
let conn: ChannelModel;
let ch: Channel;
const queues: string[] = [];

/** The consumer's queue the dead letters died in: bulk republish sends them back there. */
async function consumerQueue(label: string): Promise<string> {
  const q = uniqueName(`e2e.bulk-transform.${label}`);
  queues.push(q);
  await ch.assertQueue(q, { durable: true });
  return q;
}

function orderCreated(eventId: string, i: number): Record<string, unknown> {
  return {
    eventId,
    eventType: 'order.created',
    timestamp: '2026-12-05T10:34:00.000Z',
    version: '1.0',
    source: 'ecommerce-service',
    data: { orderId: `order-${i}`, userId: `user-${i}`, courseIds: ['course-1'], totalAmount: 49.5 + i, currency: 'usd' },
  };
}

/** `count` order.created dead letters of one failure group, all with currency "usd". */
async function seedOrders(queue: string, count: number) {
  return seedDeadLetters(pool, {
    queue,
    count,
    eventType: 'order.created',
    routingKey: 'order.created',
    body: (i, eventId) => Buffer.from(JSON.stringify(orderCreated(eventId, i))),
  });
}

test.beforeAll(async () => {
  pool = new pg.Pool({ connectionString: process.env.E2E_DATABASE_URL, max: 2 });
  conn = await amqp.connect(process.env.E2E_AMQP_URL!);
  ch = await conn.createChannel();
});

test.afterAll(async () => {
  for (const q of queues) await ch.deleteQueue(q).catch(ignoreCleanupError);
  // the server's republish ledger for this database (lib/jobs/republish-settings.ts)
  await ch.deleteQueue(`eventdesk.republish.ledger.${databaseName(process.env.E2E_DATABASE_URL!)}`).catch(ignoreCleanupError);
  await conn?.close().catch(ignoreCleanupError);
  await pool?.end();
});

test('edit a whole group before retrying it: builder step, preview, retry, edited bodies on the queue', async ({ page }) => {
  const queue = await consumerQueue('fix');
  const { ids, eventIds, groupId } = await seedOrders(queue, 3);
  await page.goto(`/?groupId=${groupId}`);
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Retry group' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('bulk-dry-run-count')).toContainText('3');
  // the reason first, so that only the missing preview holds Retry back
  await dialog.getByLabel(/Reason/).fill('producer sent the currency in lower case');
  const retry = dialog.getByRole('button', { name: /^Retry 3/ });
  await expect(retry).toBeEnabled();

  await dialog.getByLabel(/Edit before retry/).check();
  await expect(retry).toBeDisabled();
  const step = dialog.getByTestId('transform-step');
  await expect(step.getByLabel('Step', { exact: true })).toHaveValue('set');
  await step.getByLabel('Field', { exact: true }).fill('data.currency');
  const preview = dialog.getByTestId('transform-preview');
  // a step that changes nothing, then one that changes every body but still breaks: the preview tells them apart
  await step.getByLabel('Value (JSON)').fill('"usd"');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(preview.getByTestId('preview-would-break')).toHaveText('3');
  await expect(preview.getByTestId('preview-would-change')).toHaveText('0');
  await expect(preview.getByTestId('preview-break-note')).toHaveText(
    'The 3 that would break the contract are skipped, not sent. The transform left all 3 as they were: check its paths against the bodies below.',
  );
  // nothing would be sent: Retry stays off, and the dialog says why (this admin may force them)
  await expect(dialog.getByTestId('nothing-to-send')).toContainText('Nothing would be sent');
  await expect(retry).toBeDisabled();
  await step.getByLabel('Value (JSON)').fill('"eur"');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(preview.getByTestId('preview-break-note')).toHaveText(
    'The 3 that would break the contract are skipped, not sent. The transform changed all 3, and they still break: see the violations below.',
  );
  await expect(retry).toBeDisabled();
  await step.getByLabel('Value (JSON)').fill('"EUR"');
  await expect(dialog.getByTestId('compiled-transform')).toContainText('"path": "/data/currency"');
  await expect(retry).toBeDisabled();

  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(preview.getByTestId('preview-would-change')).toHaveText('3');
  await expect(preview.getByTestId('body-diff').first()).toContainText('+    "currency": "EUR"');
  await expect(retry).toBeEnabled();

  // any change to the step drops the preview: Retry is off again until the new one is shown
  await step.getByLabel('Value (JSON)').fill('"USD"');
  await expect(preview).toBeHidden();
  await expect(retry).toBeDisabled();
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(preview.getByTestId('preview-would-change')).toHaveText('3');
  await expect(preview.getByTestId('preview-unchanged')).toHaveText('0');
  await expect(preview.getByTestId('preview-would-break')).toHaveText('0');
  await expect(preview.getByTestId('preview-errors')).toHaveText('0');
  await expect(preview.getByTestId('preview-test-failed')).toHaveText('0');
  await expect(preview.getByTestId('transform-sample-item')).toHaveCount(3);
  const diff = preview.getByTestId('body-diff').first();
  await expect(diff).toContainText('-    "currency": "usd"');
  await expect(diff).toContainText('+    "currency": "USD"');
  // the admin may force; the preview is shown before anything is sent
  await expect(dialog.getByLabel(/Force \(admin\)/)).toBeVisible();
  expect((await ch.checkQueue(queue)).messageCount).toBe(0);
  // the whole dialog in one picture: a viewport as tall as it
  await page.setViewportSize({ width: 1440, height: 2400 });
  await page.screenshot({ path: '/tmp/bulk-transform-preview.png' });
  await page.setViewportSize({ width: 1440, height: 900 });

  await expect(retry).toBeEnabled();
  await retry.click();
  const bar = dialog.getByRole('progressbar', { name: 'Bulk progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(dialog.getByTestId('bulk-status')).toHaveText('done');
  await expect(dialog.getByTestId('bulk-done')).toHaveText('3');
  await expect(dialog.getByTestId('bulk-transform')).toContainText('set /data/currency = "USD"');

  // the consumer's queue holds the edited bodies, under the same eventIds
  await expect.poll(async () => (await ch.checkQueue(queue)).messageCount).toBe(3);
  const received: Record<string, unknown>[] = [];
  for (let i = 0; i < 3; i++) {
    const msg = await ch.get(queue, { noAck: true });
    expect(msg).toBeTruthy();
    received.push(JSON.parse((msg as amqp.GetMessage).content.toString()));
  }
  expect(received.map((b) => b.eventId).sort()).toEqual([...eventIds].sort());
  for (const body of received) {
    const i = eventIds.indexOf(body.eventId as string);
    const original = orderCreated(eventIds[i], i);
    expect(body).toEqual({ ...original, data: { ...(original.data as object), currency: 'USD' } });
  }
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(dialog).toBeHidden();

  // the message's history says which bulk job edited it, with the diff
  await page.goto(`/dead-letters/${ids[0]}`);
  await expect(page.getByTestId('history-bulk-edit')).toContainText(/Edited by bulk job [0-9a-f]{8}$/);
  await expect(page.getByTestId('history').getByTestId('body-diff')).toContainText(/\+.*currency"?: "USD"/);
});

test('an operator: no force; a JSONata expression the server refuses shows its error', async ({ operatorPage: page }) => {
  const queue = await consumerQueue('refused');
  const { groupId } = await seedOrders(queue, 2);
  await page.goto(`/?groupId=${groupId}`);
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Retry group' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('bulk-dry-run-count')).toContainText('2');
  await dialog.getByLabel(/Reason/).fill('fix the currency');
  await dialog.getByLabel(/Edit before retry/).check();
  await expect(dialog.getByLabel(/Force/)).toHaveCount(0);

  await dialog.getByRole('tab', { name: 'JSONata' }).click();
  await dialog.getByLabel(/JSONata expression/).fill('$ ~> | data | {"currency": ');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('alert')).toContainText(/422: .*does not parse/);
  await expect(dialog.getByTestId('transform-preview')).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: /^Retry 2/ })).toBeDisabled();

  // a working expression: previewed, then Retry may go
  await dialog.getByLabel(/JSONata expression/).fill('$ ~> | data | {"currency": $uppercase(currency)} |');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByTestId('preview-would-change')).toHaveText('2');
  await expect(dialog.getByRole('button', { name: /^Retry 2/ })).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  expect((await ch.checkQueue(queue)).messageCount).toBe(0);
});

test('a job scheduled for later waits as scheduled and can be cancelled before it starts', async ({ page }) => {
  const queue = await consumerQueue('scheduled');
  const { groupId } = await seedOrders(queue, 2);
  await page.goto(`/?groupId=${groupId}`);
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Retry group' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('bulk-dry-run-count')).toContainText('2');
  await dialog.getByLabel(/Reason/).fill('after the consumer deploy');
  await dialog.getByLabel('at a time').check();
  // in an hour, in the browser's local time as the datetime-local input takes it
  const local = await page.evaluate(() => {
    const d = new Date(Date.now() + 3_600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
  await dialog.getByLabel('Start at (your local time)').fill(local);
  await dialog.getByRole('button', { name: /^Retry 2 at / }).click();
  await expect(dialog.getByTestId('bulk-status')).toHaveText('scheduled');
  await expect(dialog.getByTestId('bulk-scheduled')).toContainText('Scheduled for');
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(dialog.getByTestId('bulk-status')).toHaveText('cancelled');
  expect((await ch.checkQueue(queue)).messageCount).toBe(0);
});

// Closing the loop after a retry (issue 17), as an operator sees it: a consumer that keeps
// failing (its queue dead-letters into the e2e server's DLQ, which the server drains), so a
// retried message really comes back; the single retry's later confirmation ("died again after
// retry" / "not back after 10 s"), the "failed again after retry" badge and filter, a bulk job's
// "N died again", and the editor's refusals (non-JSON body, changed eventId) before Review.
// Everything is found by this spec's own queues and groups (the e2e database is shared).
import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import pg from 'pg';
import { seedDeadLetters, userCreated } from '../tests/integration/republish-fixtures';
import { uniqueName } from '../tests/helpers/amqp';
import { ignoreCleanupError } from '../tests/helpers/cleanup';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

let pool: pg.Pool;
let conn: ChannelModel;
let ch: Channel;
const queues: string[] = [];

/** A queue whose consumer rejects everything: each message dies into the server's DLQ. */
async function failingQueue(label: string): Promise<string> {
  const q = uniqueName(`e2e.outcome.${label}`);
  queues.push(q);
  await ch.assertQueue(q, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': process.env.E2E_DLQ_QUEUE! } });
  await ch.consume(q, (m) => {
    if (m) ch.nack(m, false, false);
  });
  return q;
}

async function plainQueue(label: string): Promise<string> {
  const q = uniqueName(`e2e.outcome.${label}`);
  queues.push(q);
  await ch.assertQueue(q, { durable: true });
  return q;
}

/** Publishes n events into the failing queue and waits until the server's drain stored them. */
async function deadLettersOf(queue: string, n: number): Promise<{ id: string; groupId: string }[]> {
  for (let i = 0; i < n; i++) ch.sendToQueue(queue, Buffer.from(JSON.stringify(userCreated(randomUUID()))), { contentType: 'application/json' });
  let rows: { id: string; groupId: string }[] = [];
  await expect
    .poll(
      async () => {
        rows = (
          await pool.query<{ id: string; groupId: string }>(`SELECT "id"::text AS id, "group_id" AS "groupId" FROM "dead_letters" WHERE "queue" = $1`, [queue])
        ).rows;
        return rows.length;
      },
      { timeout: 30_000 },
    )
    .toBe(n);
  return rows;
}

test.beforeAll(async () => {
  pool = new pg.Pool({ connectionString: process.env.E2E_DATABASE_URL, max: 2 });
  conn = await amqp.connect(process.env.E2E_AMQP_URL!);
  ch = await conn.createChannel();
});

test.afterAll(async () => {
  for (const q of queues) await ch.deleteQueue(q).catch(ignoreCleanupError);
  await conn?.close().catch(ignoreCleanupError);
  await pool?.end();
});

test('a retry that dies again: the later confirmation, the badge and the filter', async ({ operatorPage: page }) => {
  const queue = await failingQueue('single');
  const [first, second] = await deadLettersOf(queue, 2);
  await page.goto(`/?queue=${encodeURIComponent(queue)}`);
  const rows = page.getByTestId('dead-letter-row');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('failed-again-badge')).toHaveCount(0);

  const row = page.locator(`[data-testid="dead-letter-row"][data-id="${first.id}"]`);
  await row.getByRole('button', { name: /^Retry / }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry this message' });
  await dialog.getByRole('button', { name: 'Confirm retry' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Republished to queue ${queue}`);
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();

  // confirmed at once, then, seconds later, what became of it
  const outcome = page.getByTestId('retry-outcome').and(page.locator(`[data-id="${first.id}"]`));
  await expect(outcome).toContainText('republished (attempt 1)');
  await expect(outcome).toHaveAttribute('data-outcome', 'back', { timeout: 15_000 });
  await expect(outcome).toContainText('died again after retry');

  // the list shows it back, marked
  await expect(row.getByTestId('failed-again-badge')).toHaveText('failed again after retry');
  await expect(row).toContainText('pending');
  // the checkbox follows the URL (the list's state), so it turns checked once the URL has changed
  const filter = page.getByRole('checkbox', { name: 'Failed again after retry' });
  await filter.click();
  await expect(page).toHaveURL(/failedAgain=true/);
  await expect(filter).toBeChecked();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-id', first.id);
  await filter.click();
  await expect(filter).not.toBeChecked();
  await expect(rows).toHaveCount(2);
  await expect(page.locator(`[data-testid="dead-letter-row"][data-id="${second.id}"]`).getByTestId('failed-again-badge')).toHaveCount(0);

  // the detail says so too
  await page.goto(`/dead-letters/${first.id}`);
  await expect(page.getByTestId('dead-letter-detail').getByTestId('failed-again-badge')).toBeVisible();
});

/** A queue whose consumer acks everything: a retry into it stays delivered. */
async function consumedQueue(label: string): Promise<string> {
  const q = await plainQueue(label);
  await ch.consume(q, (m) => {
    if (m) ch.ack(m);
  });
  return q;
}

/** Retries a seeded dead letter of `queue` from its detail page; returns its outcome notice, once settled "not back". */
async function retryFromDetail(page: Page, queue: string): Promise<Locator> {
  const { ids } = await seedDeadLetters(pool, { queue });
  await page.goto(`/dead-letters/${ids[0]}`);
  await page
    .getByTestId('detail-actions')
    .getByRole('button', { name: /^Retry / })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Retry this message' });
  // a valid body: no warning
  await expect(dialog.getByTestId('retry-validity-warning')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Confirm retry' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Republished to queue ${queue}`);
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(page.getByTestId('dead-letter-detail').getByTestId('status-badge-republished')).toBeVisible();
  const outcome = page.getByTestId('retry-outcome').and(page.locator(`[data-id="${ids[0]}"]`));
  await expect(outcome).toHaveAttribute('data-outcome', 'not-back', { timeout: 15_000 });
  return outcome;
}

test('a retry into a queue with a consumer that keeps it: green "not back after 10 s"', async ({ operatorPage: page }) => {
  const queue = await consumedQueue('taken');
  const outcome = await retryFromDetail(page, queue);
  await expect(outcome).toHaveAttribute('data-queue-seen', 'taken');
  await expect(outcome).toContainText(`Not back after 10 s: queue ${queue} has a consumer and no new failure came back.`);
});

test('a retry into a queue nobody consumes: "not back", but waiting there unprocessed; the detail shows the new status', async ({ operatorPage: page }) => {
  const queue = await plainQueue('stays');
  const outcome = await retryFromDetail(page, queue);
  // not a success: the message sits in a queue without a consumer
  await expect(outcome).toHaveAttribute('data-queue-seen', 'waiting');
  await expect(outcome).toContainText(`Not back after 10 s, but queue ${queue} has no consumer: it waits there unprocessed (1 message waiting).`);
});

test('a bulk retry into a failing consumer: "N died again"', async ({ operatorPage: page }) => {
  const queue = await failingQueue('bulk');
  const rows = await deadLettersOf(queue, 20);
  await page.goto(`/?groupId=${rows[0].groupId}`);
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Retry group' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('bulk-dry-run-count')).toContainText('20');
  await dialog.getByLabel(/Reason/).fill('consumer fixed (it is not)');
  await dialog.getByLabel(/Rate/).fill('5');
  await dialog.getByRole('button', { name: 'Retry 20' }).click();
  await expect(dialog.getByTestId('bulk-returned')).toContainText(/^\d+ died again$/, { timeout: 30_000 });
  const returned = Number((await dialog.getByTestId('bulk-returned').innerText()).split(' ')[0]);
  expect(returned).toBeGreaterThan(0);
  const status = dialog.getByTestId('bulk-status');
  await expect(status).toHaveText(/paused|done/, { timeout: 30_000 });
  if ((await status.innerText()) === 'paused') {
    await expect(dialog.getByRole('alert')).toContainText('Auto-paused');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  } else await expect(dialog.getByTestId('bulk-summary')).toContainText('stayed delivered');
});

test('Edit & retry refuses Review for a changed eventId and for a body that is not JSON', async ({ operatorPage: page }) => {
  const queue = await plainQueue('editor');
  const { ids, eventIds } = await seedDeadLetters(pool, { queue });
  await page.goto(`/dead-letters/${ids[0]}`);
  await page.getByRole('button', { name: 'Edit & retry' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit & retry' });
  const editor = dialog.locator('.cm-content');
  await expect(editor).toBeVisible();
  const review = dialog.getByRole('button', { name: 'Review changes' });
  const replaceWith = async (text: string) => {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(text);
  };

  await replaceWith(JSON.stringify(userCreated(randomUUID(), 'new@example.com'), null, 2));
  await expect(dialog.getByTestId('edit-refusal')).toHaveText(`eventId must stay ${eventIds[0]}`);
  await expect(review).toBeDisabled();

  await replaceWith('{"eventId": "' + eventIds[0] + '", oops');
  await expect(dialog.getByTestId('edit-refusal')).toContainText('The body is not JSON');
  await expect(review).toBeDisabled();

  await replaceWith(JSON.stringify(userCreated(eventIds[0], 'new@example.com'), null, 2));
  await expect(dialog.getByTestId('edit-refusal')).toHaveCount(0);
  await expect(review).toBeEnabled();
});

test('a body that cannot be parsed: the type shown is the routing key', async ({ operatorPage: page }) => {
  const queue = await plainQueue('unparseable');
  const { ids } = await seedDeadLetters(pool, { queue, routingKey: 'course.enrolled', body: () => Buffer.from('not json at all') });
  // as the drain stores a body it cannot parse: no type, validity unparseable
  await pool.query(`UPDATE "dead_letters" SET "event_type" = NULL, "event_id" = NULL, "validation_status" = 'unparseable' WHERE "id" = $1`, [ids[0]]);
  await page.goto(`/?queue=${encodeURIComponent(queue)}`);
  await expect(page.getByTestId('dead-letter-row')).toContainText('course.enrolled');
  await expect(page.getByTestId('dead-letter-row')).toContainText('(routing key)');
  await page.goto(`/dead-letters/${ids[0]}`);
  await expect(page.getByTestId('detail-event-type')).toHaveText('course.enrolled');
});

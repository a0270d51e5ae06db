// Fix and republish in the browser: one-click retry from the list, Edit & retry with an inline
// contract error then a fix, a bulk retry of a failure group whose progress reaches 100%, and
// the audit page's edit diffs: "Too large to diff" past the diff's limits, masked for viewers.
// Dead letters are seeded as the drain stores them; their origin queues are this spec's own.
import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import pg from 'pg';
import { databaseName } from '../lib/db/ensure-database';
import { editedBodyDiff } from '../lib/diff/republish-diff';
import { orderCreatedAmountAsString, seedDeadLetters, userCreated } from '../tests/integration/republish-fixtures';
import { uniqueName } from '../tests/helpers/amqp';
import { expect, test } from './fixtures';
import { ignoreCleanupError } from '../tests/helpers/cleanup';

let pool: pg.Pool;
let conn: ChannelModel;
let ch: Channel;
const queues: string[] = [];

async function originQueue(label: string): Promise<string> {
  const q = uniqueName(`e2e.republish.${label}`);
  queues.push(q);
  await ch.assertQueue(q, { durable: true });
  return q;
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

test('one-click retry from the list', async ({ operatorPage: page }) => {
  const queue = await originQueue('retry');
  const { ids } = await seedDeadLetters(pool, { queue });
  await page.goto(`/?queue=${encodeURIComponent(queue)}`);
  const row = page.getByTestId('dead-letter-row');
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: /^Retry / }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry this message' });
  await dialog.getByRole('button', { name: 'Confirm retry' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Republished to queue ${queue}`);
  await expect.poll(async () => (await ch.checkQueue(queue)).messageCount).toBe(1);
  const msg = await ch.get(queue, { noAck: true });
  expect(msg && msg.properties.headers!['x-eventdesk-dead-letter-id']).toBe(ids[0]);
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(row).toContainText('republished');
  await expect(row.getByRole('button', { name: /^Retry / })).toHaveCount(0);
});

test('retrying a body that breaks its contract unchanged: the dialog warns first, in the row and on the detail', async ({ operatorPage: page }) => {
  const queue = await originQueue('invalid');
  const { ids } = await seedDeadLetters(pool, {
    queue,
    eventType: 'order.created',
    routingKey: 'order.created',
    body: (_, id) => orderCreatedAmountAsString(id),
  });
  // as the drain records it: the contract check's verdict
  await pool.query(
    `UPDATE "dead_letters" SET "validation_status" = 'invalid', "violations" = '[{"path":"$.data.totalAmount","message":"expected number, received string"}]' WHERE "id" = $1`,
    [ids[0]],
  );
  await page.goto(`/?queue=${encodeURIComponent(queue)}`);
  await page
    .getByTestId('dead-letter-row')
    .getByRole('button', { name: /^Retry / })
    .click();
  let dialog = page.getByRole('dialog', { name: 'Retry this message' });
  await expect(dialog.getByTestId('retry-validity-warning')).toHaveText(
    'This body breaks its event contract. Sent unchanged, its consumer will most likely fail on it again: Edit & retry, on its page, fixes the body first.',
  );
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await page.goto(`/dead-letters/${ids[0]}`);
  await page
    .getByTestId('detail-actions')
    .getByRole('button', { name: /^Retry / })
    .click();
  dialog = page.getByRole('dialog', { name: 'Retry this message' });
  await expect(dialog.getByTestId('retry-validity-warning')).toHaveText(
    'This body breaks its event contract (1 violation). Sent unchanged, its consumer will most likely fail on it again: Edit & retry fixes the body first.',
  );
  // a warning, not a refusal: the operator may still send it (a consumer fixed to accept it)
  await dialog.getByRole('button', { name: 'Confirm retry' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Republished to queue ${queue}`);
  await expect.poll(async () => (await ch.checkQueue(queue)).messageCount).toBe(1);
});

test('edit & retry: an inline contract error, then a fix', async ({ page }) => {
  const queue = await originQueue('edit');
  const { ids, eventIds } = await seedDeadLetters(pool, {
    queue,
    body: (_, eventId) => Buffer.from(JSON.stringify(userCreated(eventId, 'ada(at)example.com'))),
  });
  await page.goto(`/dead-letters/${ids[0]}`);
  await page.getByRole('button', { name: 'Edit & retry' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit & retry' });
  const editor = dialog.locator('.cm-content');
  await expect(editor).toBeVisible();
  // the stored body breaks the contract: the error shows at its path before any change
  await expect(dialog.getByTestId('contract-violations')).toContainText('$.data.email');
  await expect(dialog.locator('.cm-lintRange-error').first()).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Review changes' })).toBeDisabled();

  // type a fix
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(JSON.stringify(userCreated(eventIds[0], 'ada@example.com'), null, 2));
  await expect(dialog.getByTestId('contract-violations')).toContainText('Matches the contract');
  await expect(dialog.locator('.cm-lintRange-error')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Review changes' }).click();
  await expect(dialog.getByTestId('body-diff')).toContainText('-    "email": "ada(at)example.com"');
  await expect(dialog.getByTestId('body-diff')).toContainText('+    "email": "ada@example.com"');
  await dialog.getByLabel(/Reason/).fill('typo in the email address');
  await dialog.getByRole('button', { name: 'Send edited message' }).click();
  await expect(dialog.getByRole('status')).toContainText('republished');
  await expect.poll(async () => (await ch.checkQueue(queue)).messageCount).toBe(1);
  const msg = await ch.get(queue, { noAck: true });
  expect(msg && JSON.parse(msg.content.toString()).data.email).toBe('ada@example.com');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  // the body shown is still the one that died: the detail says the sent one was edited, and where
  const note = page.getByTestId('edited-retry-note');
  await expect(note).toContainText('The body below is the message as it died.');
  await expect(note).toContainText('sent an edited body: its changes are under History.');
  await note.getByRole('link', { name: 'History' }).click();
  await expect(page).toHaveURL(/#history$/);
  await expect(page.getByTestId('history').getByTestId('body-diff')).toContainText('+    "email": "ada@example.com"');

  await page.goto('/audit?action=edit-republish');
  // the line names its dead letter by a short id; the full one is the link's title
  const entry = page
    .getByTestId('audit-table')
    .getByRole('row')
    .filter({ has: page.locator(`a[title="dead-letter:${ids[0]}"]`) });
  await expect(entry).toContainText('typo in the email address');
  await entry.getByRole('button', { name: 'Details' }).click();
  await expect(page.getByTestId('body-diff')).toContainText('+    "email": "ada@example.com"');
});

test('bulk retry of a group: dry run, then the progress bar reaches 100%', async ({ page }) => {
  const queue = await originQueue('bulk');
  const { groupId } = await seedDeadLetters(pool, { queue, count: 40 });
  await page.goto(`/?groupId=${groupId}`);
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Retry group' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('bulk-dry-run-count')).toContainText('40');
  await expect(dialog.getByTestId('bulk-sample').getByRole('row')).toHaveCount(11);
  expect((await ch.checkQueue(queue)).messageCount).toBe(0);
  await dialog.getByLabel(/Reason/).fill('consumer fixed');
  await dialog.getByRole('button', { name: 'Retry 40' }).click();
  const bar = dialog.getByRole('progressbar', { name: 'Bulk progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(dialog.getByTestId('bulk-status')).toHaveText('done');
  await expect(dialog.getByTestId('bulk-done')).toHaveText('40');
  await expect(dialog.getByTestId('bulk-remaining')).toHaveText('0');
  // a finished job shows its average rate, not 0
  expect(Number((await dialog.getByTestId('bulk-rate').innerText()).replace(/[^0-9]/g, ''))).toBeGreaterThan(0);
  expect((await ch.checkQueue(queue)).messageCount).toBe(40);
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(dialog).toBeHidden();
});

test('audit: an edit too large to diff says so; a viewer sees edit diffs masked', async ({ viewerPage: page }) => {
  const [big, small] = [randomUUID(), randomUUID()];
  const many = (p: string) => JSON.stringify(Array.from({ length: 3000 }, (_, i) => `${p}${i}`));
  const tooLarge = editedBodyDiff(many('a'), many('b'));
  const masked = editedBodyDiff('{"email":"ada@example.com","paymentId":"pay_123456789"}', '{"email":"bob@example.com","paymentId":"pay_987654321"}');
  await pool.query(
    `INSERT INTO audit_log (actor, action, target, reason, details) VALUES ('ops', 'edit-republish', $1, 'big edit', $2), ('ops', 'edit-republish', $3, 'small edit', $4)`,
    [`dead-letter:${big}`, JSON.stringify({ diff: tooLarge }), `dead-letter:${small}`, JSON.stringify({ diff: masked })],
  );
  await page.goto('/audit?action=edit-republish');
  const bigRow = page.getByTestId('audit-table').getByRole('row').filter({ hasText: 'big edit' });
  await bigRow.getByRole('button', { name: 'Details' }).click();
  await expect(page.getByTestId('body-diff-too-large')).toContainText('Too large to diff');
  const smallRow = page.getByTestId('audit-table').getByRole('row').filter({ hasText: 'small edit' });
  await smallRow.getByRole('button', { name: 'Details' }).click();
  await expect(page.getByTestId('body-diff')).toContainText('+  "email": "b***@e***.com"');
  await expect(page.getByTestId('body-diff')).toContainText('-  "paymentId": "p***9"');
  await expect(page.getByTestId('audit-table')).not.toContainText('pay_987654321');
});

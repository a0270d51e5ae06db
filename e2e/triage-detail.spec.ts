// The detail page of a JSON, a non-JSON and a binary dead letter, and the XSS case: markup in
// a body or header is shown as text and never runs.
import { expect, test } from '@playwright/test';
import type { Seeded } from '../tests/integration/triage-seed';
import { ensureSignedIn, seed, tag, unseed } from './triage-seed';

const t = tag();
let json: Seeded, text: Seeded, binary: Seeded, evil: Seeded, sibling: Seeded;
const EVIL = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;
const bytes = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x41, 0x42, 0x43, 0x0a, 0x80]);

test.beforeAll(async () => {
  [json, text, binary, evil, sibling] = await seed([
    {
      eventType: 'user.created',
      queue: `triage-e2e-${t}`,
      validationStatus: 'invalid',
      violations: [
        { path: '$.data.email', message: 'Invalid email address' },
        { path: '$.data.tenantId', message: 'Required' },
      ],
      correlationId: `corr-${t}`,
      body: { eventId: `ev-${t}`, eventType: 'user.created', version: '1.0', data: { email: 'not-an-email', profile: { nested: { deep: 'value' } } } },
      properties: { contentType: 'application/json', messageId: `ev-${t}`, timestamp: { $timestamp: 1764236400 } },
      headers: {
        'x-correlation-id': `corr-${t}`,
        'x-attempt-bytes': { $bytes: Buffer.from('héllo').toString('base64') },
        'x-big': { $long: '9007199254740993' },
      },
      deaths: [
        { queue: `triage-e2e-${t}`, reason: 'rejected', count: 3, exchange: 'edu.events', routingKeys: ['user.created'], time: '2026-11-27T10:00:00.000Z' },
        { queue: `triage-e2e-${t}.retry`, reason: 'expired', count: 3, exchange: '', routingKeys: [`triage-e2e-${t}.retry`], time: '2026-11-27T09:59:00.000Z' },
      ],
      history: [
        { action: 'dead-lettered', actor: 'drain', at: new Date('2026-11-27T10:00:00Z') },
        { action: 'republished', actor: 'ops@example.test', reason: 'mapping fixed', at: new Date('2026-11-27T10:05:00Z') },
        { action: 'failed-again', actor: 'drain', at: new Date('2026-11-27T10:06:00Z') },
      ],
    },
    { body: `plain text body ${t}\nsecond line`, contentType: 'text/plain', validationStatus: 'unparseable', queue: `triage-e2e-${t}` },
    { body: bytes, contentType: 'application/octet-stream', validationStatus: 'unparseable', queue: `triage-e2e-${t}` },
    {
      body: JSON.stringify({ note: EVIL, [EVIL]: 'key' }),
      headers: { 'x-evil': EVIL, [`x-${EVIL}`]: 'in a key' },
      errorMessage: EVIL,
      eventType: EVIL,
      queue: `triage-e2e-${t}`,
    },
    { queue: `triage-e2e-${t}-other`, correlationId: `corr-${t}` },
  ]);
});

test.afterAll(async () => {
  await unseed([json, text, binary, evil, sibling].filter(Boolean));
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

test('JSON dead letter: tree, violations at their paths, headers, x-death, history, correlation', async ({ page }) => {
  await page.goto(`/dead-letters/${json.id}`);
  const tree = page.getByTestId('json-tree');
  await expect(tree).toContainText('"not-an-email"');
  const emailNode = page.locator(`[data-path='${JSON.stringify(['data', 'email'])}']`);
  await expect(emailNode).toContainText('Invalid email address');
  // a missing field marks its parent with the full path
  await expect(
    page
      .locator(`[data-path='${JSON.stringify(['data'])}']`)
      .getByTestId('violation-mark')
      .first(),
  ).toContainText('$.data.tenantId');
  await expect(page.getByTestId('violation')).toHaveCount(2);
  // collapse and expand a node
  const profile = page.locator(`[data-path='${JSON.stringify(['data', 'profile'])}']`);
  await profile.getByRole('button', { name: 'Collapse' }).first().click();
  await expect(profile).toContainText('1 key');
  await expect(profile).not.toContainText('"nested"');
  await profile.getByRole('button', { name: 'Expand' }).first().click();
  await expect(profile).toContainText('"nested"');
  // deeper levels start collapsed; expanding shows them
  await profile
    .locator(`[data-path='${JSON.stringify(['data', 'profile', 'nested'])}']`)
    .getByRole('button', { name: 'Expand' })
    .first()
    .click();
  await expect(profile).toContainText('"deep": "value"');
  await page.getByRole('tab', { name: 'Raw' }).click();
  await expect(page.getByTestId('raw-body')).toContainText(`"eventId":"ev-${t}"`);
  await expect(page.getByTestId('body-sha256')).toHaveText(/^[0-9a-f]{64}$/);

  await expect(page.getByTestId('headers')).toContainText('héllo');
  await expect(page.getByTestId('headers')).toContainText('9007199254740993');
  // the timestamp property reads as a time (formatTime's layout), its seconds behind "raw"
  await expect(page.getByTestId('properties')).toContainText('2025-11-27');
  await expect(page.getByTestId('death')).toHaveCount(2);
  await expect(page.getByTestId('death').first()).toContainText('expired');
  await expect(page.getByTestId('history-entry')).toHaveCount(3);
  await expect(page.getByTestId('history')).toContainText('mapping fixed');
  await expect(page.getByTestId('detail-actions')).toBeAttached();

  await page.getByTestId('correlation-link').click();
  await expect(page).toHaveURL(new RegExp(`correlationId=corr-${t}`));
  await expect(page.getByTestId('dead-letter-row')).toHaveCount(2);
});

test('non-JSON dead letter shows raw text', async ({ page }) => {
  await page.goto(`/dead-letters/${text.id}`);
  await expect(page.getByTestId('raw-body')).toContainText(`plain text body ${t}`);
  await expect(page.getByRole('tab', { name: 'Pretty' })).toBeDisabled();
  await expect(page.getByTestId('validation')).toContainText('not JSON');
});

test('binary dead letter shows hex with size and sha256', async ({ page }) => {
  await page.goto(`/dead-letters/${binary.id}`);
  await expect(page.getByTestId('hex-dump')).toContainText('00 01 fe ff 41 42 43 0a 80');
  await expect(page.getByTestId('hex-dump')).toContainText('|....ABC..|');
  await expect(page.getByTestId('body-meta')).toContainText('9 bytes');
  await expect(page.getByTestId('body-meta')).toContainText('binary');
  await expect(page.getByRole('tab', { name: 'Raw' })).toBeDisabled();
  const sha = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
  await expect(page.getByTestId('body-sha256')).toHaveText(sha);
});

test('markup in a body, header, error or type is shown as text and never runs', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`/?queue=triage-e2e-${t}`);
  await expect(page.getByTestId('dead-letter-table')).toContainText('<script>window.__pwned = 1</script>');
  await page.goto(`/dead-letters/${evil.id}`);
  await expect(page.getByTestId('json-tree')).toContainText('<img src=x onerror=');
  await expect(page.getByTestId('headers')).toContainText(EVIL);
  await expect(page.getByTestId('detail-error-message')).toHaveText(EVIL);
  await expect(page.getByTestId('detail-event-type')).toHaveText(EVIL);
  await page.getByRole('tab', { name: 'Raw' }).click();
  await expect(page.getByTestId('raw-body')).toContainText('<script>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator('main script').count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test('an unknown id says so', async ({ page }) => {
  await page.goto('/dead-letters/00000000-0000-4000-8000-000000000000');
  await expect(page.getByTestId('detail-error')).toContainText('Dead letter not found');
});

test('a 30 KB error message shows its start and keeps the actions in view; "Show all" shows the rest', async ({ page }) => {
  const trace = Array.from({ length: 400 }, (_, i) => `    at handler${i} (/srv/consumer/src/handlers/order.js:${i}:17)`).join('\n');
  const error = `TypeError: Cannot read properties of undefined (reading 'email')\n${trace}`;
  const [long] = await seed([{ errorMessage: error, queue: `triage-e2e-${t}-long` }]);
  try {
    await page.goto(`/dead-letters/${long.id}`);
    const shown = page.getByTestId('detail-error-message');
    await expect(shown).toContainText("TypeError: Cannot read properties of undefined (reading 'email')");
    expect(((await shown.textContent()) ?? '').length).toBeLessThanOrEqual(601);
    await expect(page.getByTestId('detail-actions')).toBeInViewport();
    await page.getByTestId('detail-error-toggle').click();
    await expect(page.getByTestId('detail-error-toggle')).toHaveText('Show less');
    await expect(shown).toContainText('at handler399 (/srv/consumer/src/handlers/order.js:399:17)');
    await expect(page.getByTestId('detail-actions')).toBeInViewport();
  } finally {
    await unseed([long]);
  }
});

test('characters that reverse or hide text are shown by their code point: a queue, an error, a body string', async ({ page }) => {
  const queue = `triage-e2e-${t}-bidi\u202e`;
  const [bidi] = await seed([
    {
      queue,
      errorMessage: 'rtl \u202eevil\u202c zero\u200bwidth',
      body: { eventId: `bidi-${t}`, eventType: 'media.processed', version: '1.0', data: { file: '\u202egnp.exe' } },
      history: [{ action: 'republished', actor: 'ops@example.test', reason: 'mapping \u202edexif', at: new Date('2026-11-27T10:05:00Z') }],
    },
  ]);
  try {
    await page.goto(`/dead-letters/${bidi.id}`);
    await expect(page.getByTestId('detail-error-message')).toHaveText('rtl ⟨U+202E⟩evil⟨U+202C⟩ zero⟨U+200B⟩width');
    await expect(page.getByTestId('summary')).toContainText(`triage-e2e-${t}-bidi⟨U+202E⟩`);
    await expect(page.getByTestId('json-tree')).toContainText('"⟨U+202E⟩gnp.exe"');
    await expect(page.getByTestId('history')).toContainText('mapping ⟨U+202E⟩dexif');
    // the list filters by the queue's real name and shows it readable
    await page.goto(`/?queue=${encodeURIComponent(queue)}`);
    await expect(page.getByTestId('error-cell')).toHaveText('rtl ⟨U+202E⟩evil⟨U+202C⟩ zero⟨U+200B⟩width');
    await expect(page.getByTestId('dead-letter-table')).toContainText(`triage-e2e-${t}-bidi⟨U+202E⟩`);
  } finally {
    await unseed([bidi]);
  }
});

// The Processes panel of /queues (issue 19): the e2e server registers itself as a web process
// (instrumentation.ts -> startBackground), so the panel shows at least that row, with its pid,
// a start and a last-heartbeat time, and the duties it holds (the only process: all of them).
import { test, expect } from './fixtures';

test.describe('processes panel', () => {
  test('a viewer sees the web process on /queues', async ({ viewerPage: page }) => {
    const api = await page.request.get('/api/processes');
    expect(api.status()).toBe(200);
    const { items } = (await api.json()) as { items: { pid: number; role: string }[] };
    const web = items.find((p) => p.role === 'web');
    expect(web, 'the e2e server registered as a web process').toBeDefined();

    await page.goto('/queues');
    const panel = page.getByRole('region', { name: 'Processes' });
    await expect(panel.getByRole('heading', { name: 'Processes' })).toBeVisible();
    const row = panel.locator(`[data-testid="process-row"][data-role="web"]`).filter({ hasText: String(web!.pid) });
    await expect(row).toBeVisible();
    await expect(row).toContainText('web');
    // started and last heartbeat are shown as times (the console's format: 2026-12-05 21:10:11)
    await expect(row.locator('td').nth(3)).toHaveText(/\d{2}:\d{2}:\d{2}/);
    await expect(row.locator('td').nth(4)).toHaveText(/\d{2}:\d{2}:\d{2}/);
  });
});

// The bulk progress view names the process running the job ("running in <host> pid <pid>"), and
// nothing when no live process holds it (queued, paused, done, or between a runner's death and
// the takeover).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { BulkJob } from '@/lib/schemas/bulk';

let current: BulkJob;
vi.mock('@/components/hooks/use-bulk-job', () => ({ useBulkJob: () => ({ data: current }) }));
vi.mock('@/components/hooks/use-bulk-control', () => ({ useBulkControl: () => ({ isPending: false, error: null, mutate: () => {} }) }));

const { BulkProgress } = await import('@/components/bulk/bulk-progress');

const base: BulkJob = {
  id: '00000000-0000-4000-8000-000000000001',
  action: 'republish',
  status: 'running',
  total: 20000,
  succeeded: 6000,
  failed: 0,
  skipped: 0,
  remaining: 14000,
  rate: 2000,
  ratePerSecond: 2000,
  returned: 0,
  pauseReason: null,
  lastError: null,
  actor: 'olivia@example.com',
  reason: 'bug fixed',
  createdAt: '2026-12-05T21:00:00.000Z',
  startedAt: '2026-12-05T21:00:01.000Z',
  finishedAt: null,
  startAt: null,
  transform: null,
  skipReasons: [],
  runner: null,
};

const render = (job: BulkJob) => {
  current = job;
  return renderToStaticMarkup(createElement(BulkProgress, { jobId: job.id }));
};

describe('BulkProgress runner', () => {
  it('says which process runs the job', () => {
    const html = render({ ...base, runner: { host: 'worker-2', pid: 4242 } });
    expect(html).toContain('data-testid="bulk-runner"');
    expect(html).toContain('running in worker-2 pid 4242');
  });

  it('says nothing when no live process holds it', () => {
    const html = render({ ...base, runner: null });
    expect(html).not.toContain('bulk-runner');
    expect(html).not.toContain('running in');
  });
});

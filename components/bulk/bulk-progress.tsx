'use client';
// Live progress of a bulk job (polled every second): bar, done / failed / skipped / remaining,
// rate (the average over the run once it is done), how many died again (returned) and, once
// done, how many stayed delivered, the reason of an (auto-)pause, why items were
// skipped or failed, what the job's transform does, and pause / resume / cancel; a job scheduled
// for later says when it starts and can be cancelled until then; which process runs it (host and
// pid, from its lease and the process registry: nothing when no live process holds it, e.g.
// between a runner's death and the takeover). Close once it is over.
import { useBulkControl } from '@/components/hooks/use-bulk-control';
import { useBulkJob } from '@/components/hooks/use-bulk-job';
import { buttonClass, ErrorNote } from '@/components/republish/modal';
import { formatTime } from '@/components/ui/format';
import { BULK_FINAL_STATUSES } from '@/lib/schemas/bulk';
import { describeTransform } from '@/lib/transform/builder';

export function BulkProgress({ jobId, onClose }: { jobId: string; onClose?: () => void }) {
  const job = useBulkJob(jobId);
  const control = useBulkControl(jobId);
  const j = job.data;
  if (!j) return <p className="text-sm text-slate-500">Starting…</p>;
  const settled = j.succeeded + j.failed + j.skipped;
  const percent = j.total ? Math.floor((settled * 100) / j.total) : 100;
  return (
    <div data-testid="bulk-progress" className="space-y-2 text-sm">
      <div className="flex items-center justify-between">
        <span>
          {j.action === 'republish' ? 'Republishing' : 'Discarding'} {j.total.toLocaleString()} dead letters
        </span>
        <span data-testid="bulk-status" className="font-medium">
          {j.status}
        </span>
      </div>
      {j.runner ? (
        <p data-testid="bulk-runner" className="text-xs text-slate-500">
          running in {j.runner.host} pid {j.runner.pid}
        </p>
      ) : null}
      {j.status === 'scheduled' ? (
        <p data-testid="bulk-scheduled" className="rounded border border-indigo-200 bg-indigo-50 px-2 py-1 text-indigo-900">
          Scheduled for {formatTime(j.startAt)}: nothing is sent before then.
        </p>
      ) : null}
      {j.transform ? (
        <p data-testid="bulk-transform" className="truncate font-mono text-xs text-slate-600" title={describeTransform(j.transform)}>
          Each body edited: {describeTransform(j.transform)}
        </p>
      ) : null}
      <div
        role="progressbar"
        aria-label="Bulk progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="h-3 w-full overflow-hidden rounded bg-slate-200"
      >
        <div className={`h-full ${j.failed ? 'bg-amber-500' : 'bg-indigo-600'}`} style={{ width: `${percent}%` }} />
      </div>
      <dl className="grid grid-cols-5 gap-2 text-center">
        {[
          ['done', j.succeeded],
          ['failed', j.failed],
          ['skipped', j.skipped],
          ['remaining', j.remaining],
          [j.status === 'done' ? 'avg msg/s' : 'msg/s', j.rate],
        ].map(([label, n]) => (
          <div key={label} className="rounded bg-slate-50 p-1">
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="font-mono" data-testid={`bulk-${String(label).endsWith('msg/s') ? 'rate' : label}`}>
              {Number(n).toLocaleString()}
            </dd>
          </div>
        ))}
      </dl>
      <p className="text-xs text-slate-500">
        {percent}% · limit {j.ratePerSecond ? `${j.ratePerSecond} msg/s` : 'unlimited'}
        {j.returned ? (
          <>
            {' · '}
            <span data-testid="bulk-returned" className="font-medium text-rose-700">
              {j.returned.toLocaleString()} died again
            </span>
          </>
        ) : null}
      </p>
      {j.action === 'republish' && j.status === 'done' ? (
        // returned is counted at the end of the job (lib/jobs/bulk-runner.ts finish)
        <p data-testid="bulk-summary" className="text-slate-700">
          {j.succeeded.toLocaleString()} delivered, {Math.max(0, j.succeeded - j.returned).toLocaleString()} stayed delivered
          {j.returned ? `, ${j.returned.toLocaleString()} died again` : ''}.
        </p>
      ) : null}
      {j.status === 'paused' && j.pauseReason ? (
        <p role="alert" className="rounded border border-amber-200 bg-amber-50 px-2 py-1 text-amber-900">
          {j.pauseReason}
        </p>
      ) : null}
      {j.skipReasons.length ? (
        // the reasons cover skipped and failed items alike (most frequent first, up to 5)
        <ul data-testid="bulk-skip-reasons" className="space-y-0.5 text-xs text-amber-900">
          {j.skipReasons.map((r) => (
            <li key={r.reason}>
              <strong>{r.count.toLocaleString()}</strong> {j.failed ? 'skipped or failed' : 'skipped'}: {r.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {j.lastError ? <p className="text-xs text-rose-700">Last error: {j.lastError}</p> : null}
      <div className="flex gap-2">
        {j.status === 'running' || j.status === 'queued' ? (
          <button type="button" className={buttonClass.secondary} disabled={control.isPending} onClick={() => control.mutate('pause')}>
            Pause
          </button>
        ) : null}
        {j.status === 'paused' ? (
          <button type="button" className={buttonClass.secondary} disabled={control.isPending} onClick={() => control.mutate('resume')}>
            Resume
          </button>
        ) : null}
        {j.status === 'scheduled' || j.status === 'running' || j.status === 'queued' || j.status === 'paused' ? (
          <button type="button" className={buttonClass.danger} disabled={control.isPending} onClick={() => control.mutate('cancel')}>
            Cancel
          </button>
        ) : null}
        {onClose && BULK_FINAL_STATUSES.includes(j.status) ? (
          <button type="button" className={buttonClass.secondary} onClick={onClose}>
            Close
          </button>
        ) : null}
      </div>
      <ErrorNote error={control.error} />
    </div>
  );
}

'use client';
// A bulk action in three steps: a dry run (how many, and a sample) before anything is sent; the
// reason, the rate and, over 100 messages, the count typed back; then the live progress.
import { useEffect, useState } from 'react';
import { TYPE_TO_CONFIRM_OVER, DEFAULT_BULK_RATE, type BulkSelection } from '@/lib/schemas/bulk';
import { useBulkDryRun, useCreateBulk } from '@/components/hooks/use-create-bulk';
import { buttonClass, DialogActions, ErrorNote, Modal, ReasonField } from '@/components/republish/modal';
import { formatTime } from '@/components/ui/format';
import { BulkProgress } from './bulk-progress';

export function BulkDialog({
  action,
  selection,
  what,
  onClose,
  onStarted,
}: {
  action: 'republish' | 'discard';
  selection: BulkSelection;
  /** e.g. "the 3 selected dead letters", "group 1a2b…" */
  what: string;
  onClose: () => void;
  onStarted?: () => void;
}) {
  const dryRun = useBulkDryRun();
  const create = useCreateBulk();
  const [reason, setReason] = useState('');
  const [rate, setRate] = useState(String(DEFAULT_BULK_RATE));
  const [typed, setTyped] = useState('');
  const selectionKey = JSON.stringify(selection);

  useEffect(() => {
    dryRun.mutate({ action, selection, reason: 'dry run' });
    // run once per selection
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [action, selectionKey]);

  const count = dryRun.data?.count ?? 0;
  const needsTyping = count > TYPE_TO_CONFIRM_OVER;
  const rateNumber = Number(rate);
  const rateOk = rate.trim() !== '' && Number.isInteger(rateNumber) && rateNumber >= 0;
  const verb = action === 'republish' ? 'Retry' : 'Discard';

  return (
    <Modal title={`${verb} ${what}`} onClose={onClose} wide>
      {create.data ? (
        <BulkProgress jobId={create.data.jobId} onClose={onClose} />
      ) : dryRun.isPending || !dryRun.data ? (
        <>
          <p className="text-sm text-slate-500">{dryRun.isError ? 'The dry run failed.' : 'Counting (dry run, nothing is sent)…'}</p>
          <ErrorNote error={dryRun.error} />
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              { action, selection, reason: reason.trim(), ratePerSecond: rateNumber, expectedCount: needsTyping ? Number(typed) : count },
              { onSuccess: () => onStarted?.() },
            );
          }}
        >
          <p className="text-sm" data-testid="bulk-dry-run-count">
            Dry run: <strong>{count.toLocaleString()}</strong> pending dead letter{count === 1 ? '' : 's'} would be{' '}
            {action === 'republish' ? 'republished to the queues they died in' : 'discarded'}.
          </p>
          {dryRun.data.sample.length ? (
            <table className="mt-2 w-full text-left text-xs" data-testid="bulk-sample">
              <thead className="text-slate-500">
                <tr>
                  <th className="py-1">Event type</th>
                  <th>Queue</th>
                  <th>Error</th>
                  <th>Last failed</th>
                </tr>
              </thead>
              <tbody>
                {dryRun.data.sample.map((s) => (
                  <tr key={s.id} className="border-t border-slate-100">
                    <td className="py-1">{s.eventType ?? '—'}</td>
                    <td>{s.queue}</td>
                    <td className="max-w-xs truncate">{s.errorMessage ?? ''}</td>
                    <td className="whitespace-nowrap">{formatTime(s.lastFailedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {count > 0 ? (
            <>
              <ReasonField value={reason} onChange={setReason} />
              {action === 'republish' ? (
                <label className="mt-2 block text-sm">
                  Rate (messages per second, 0 = as fast as the broker confirms)
                  <input
                    type="number"
                    min={0}
                    className="mt-0.5 block w-40 rounded border border-slate-300 px-2 py-1"
                    value={rate}
                    onChange={(e) => setRate(e.target.value)}
                  />
                </label>
              ) : null}
              {needsTyping ? (
                <label className="mt-2 block text-sm">
                  Type <strong>{count}</strong> to confirm
                  <input
                    className="mt-0.5 block w-40 rounded border border-slate-300 px-2 py-1"
                    value={typed}
                    onChange={(e) => setTyped(e.target.value)}
                    aria-label="Type the count to confirm"
                  />
                </label>
              ) : null}
            </>
          ) : null}
          <ErrorNote error={create.error} />
          <DialogActions onCancel={onClose}>
            <button
              type="submit"
              className={buttonClass.primary}
              disabled={count === 0 || !reason.trim() || !rateOk || (needsTyping && Number(typed) !== count) || create.isPending}
            >
              {verb} {count.toLocaleString()}
            </button>
          </DialogActions>
        </form>
      )}
    </Modal>
  );
}

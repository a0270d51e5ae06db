'use client';
// A bulk action in three steps: a dry run (how many, and a sample) before anything is sent; the
// reason, the rate and, over 100 messages, the count typed back; then the live progress.
// A republish may edit each body on the way ("Edit before retry": a transform, README, Fix a
// whole group) and may start later. A transform is only sent after its preview (the dry run
// with that very transform) has been shown: any edit drops the preview and locks Retry again; so
// does a preview after which nothing would be sent (every result breaks or fails).
import { useEffect, useMemo, useState } from 'react';
import { TYPE_TO_CONFIRM_OVER, DEFAULT_BULK_RATE, type BulkSelection } from '@/lib/schemas/bulk';
import { useHasRole } from '@/components/auth/actor-context';
import { useBulkDryRun, useBulkTransformPreview, useCreateBulk } from '@/components/hooks/use-create-bulk';
import { buttonClass, DialogActions, ErrorNote, Modal, ReasonField } from '@/components/republish/modal';
import { formatTime } from '@/components/ui/format';
import { BulkProgress } from './bulk-progress';
import { startAtOf, type Start } from './start-at';
import { StartChoice } from './start-choice';
import { draftTransform, emptyDraft, TransformEditor, type TransformDraft } from './transform-editor';
import { TransformPreview } from './transform-preview';

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
  const preview = useBulkTransformPreview();
  const create = useCreateBulk();
  const admin = useHasRole('admin');
  const [reason, setReason] = useState('');
  const [rate, setRate] = useState(String(DEFAULT_BULK_RATE));
  const [typed, setTyped] = useState('');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<TransformDraft>(emptyDraft);
  const [force, setForce] = useState(false);
  const [start, setStart] = useState<Start>({ kind: 'now' });
  const selectionKey = JSON.stringify(selection);
  const compiled = useMemo(() => draftTransform(draft), [draft]);
  const transformKey = compiled.ok ? JSON.stringify(compiled.transform) : null;
  // The preview on screen is the one made for the transform that would be sent now; one made for
  // an earlier draft (an answer that arrives after an edit included) is not shown at all.
  const previewed = preview.data && preview.variables && JSON.stringify(preview.variables.transform) === transformKey ? preview.data : null;
  const editDraft = (next: TransformDraft) => {
    setDraft(next);
    preview.reset();
  };

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
  const startAt = startAtOf(start);
  // what the job would send after that preview: none (every result breaks or fails) leaves Retry off
  const sendable = previewed ? previewed.wouldChange + previewed.unchanged + (force ? previewed.wouldBreak : 0) : null;
  const transformReady = !editing || (sendable !== null && sendable > 0);

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
            if (!transformReady || !startAt.ok) return;
            create.mutate(
              {
                action,
                selection,
                reason: reason.trim(),
                ratePerSecond: rateNumber,
                expectedCount: needsTyping ? Number(typed) : count,
                transform: editing && compiled.ok ? compiled.transform : undefined,
                force: force || undefined,
                startAt: startAt.value,
              },
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
          {count > 0 && action === 'republish' ? (
            <div className="mt-3">
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={editing}
                  onChange={(e) => {
                    setEditing(e.target.checked);
                    preview.reset();
                  }}
                />
                Edit before retry (a transform applied to each body before it is sent)
              </label>
              {editing ? (
                <>
                  <TransformEditor draft={draft} onChange={editDraft} result={compiled} />
                  <div className="mt-2 flex items-center gap-2">
                    <button
                      type="button"
                      className={buttonClass.secondary}
                      disabled={!compiled.ok || preview.isPending}
                      onClick={() => {
                        if (compiled.ok) preview.mutate({ action, selection, reason: 'preview', transform: compiled.transform });
                      }}
                    >
                      {preview.isPending ? 'Previewing…' : 'Preview'}
                    </button>
                    {!previewed && !preview.isPending ? (
                      <span className="text-xs text-slate-500">Retry stays off until the preview of this transform has been shown.</span>
                    ) : null}
                  </div>
                  <ErrorNote error={preview.error} />
                  {previewed ? <TransformPreview preview={previewed} force={force} /> : null}
                  {sendable === 0 ? (
                    <p role="alert" className="text-sm text-rose-800" data-testid="nothing-to-send">
                      Nothing would be sent: every result breaks the contract or fails. Retry stays off until a transform fixes some of them
                      {admin ? ' (or Force sends those that break)' : ''}.
                    </p>
                  ) : null}
                </>
              ) : null}
            </div>
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
              {action === 'republish' ? <StartChoice value={start} onChange={setStart} problem={startAt.ok ? null : startAt.message} /> : null}
              {action === 'republish' && admin ? (
                <label className="mt-2 flex items-center gap-2 text-sm">
                  <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (admin): send also results that break the
                  contract and messages past the retry limit
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
              disabled={
                count === 0 || !reason.trim() || !rateOk || (needsTyping && Number(typed) !== count) || !transformReady || !startAt.ok || create.isPending
              }
            >
              {verb} {count.toLocaleString()}
              {startAt.ok && startAt.value ? ` at ${formatTime(startAt.value)}` : ''}
            </button>
          </DialogActions>
        </form>
      )}
    </Modal>
  );
}

'use client';
// One-click retry: a confirmation, then the stored message goes back unchanged to the queue it
// died in (or the chosen exchange). Errors (409 not pending, 503 broker down...) stay visible.
// A body that breaks its contract (or is no JSON at all) is sent unchanged only after a warning
// that says so: its consumer will most likely fail on it again (Edit & retry fixes it first).
import { useState } from 'react';
import type { RepublishTargetInput } from '@/lib/schemas/republish';
import { useRefreshAfterAction, useRepublish } from '@/components/hooks/use-republish';
import { buttonClass, DialogActions, DoneNote, ErrorNote, Modal, ReasonField } from './modal';
import { TargetPicker } from './target-picker';
import { sentToQueue, watchRetry } from './retry-watch';

export function RetryButton({
  id,
  queue,
  label,
  compact = false,
  canForce = false,
  attempts = null,
  validity = null,
}: {
  id: string;
  queue: string;
  label: string;
  compact?: boolean;
  canForce?: boolean;
  /** the record's attempts now: the outcome watch tells a new death by one more */
  attempts?: number | null;
  /** what the drain found of the body against its contract (warned of unless valid) */
  validity?: { status: string; violations?: number } | null;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  const [target, setTarget] = useState<RepublishTargetInput>(queue ? { kind: 'origin' } : { kind: 'exchange', routingKey: '' });
  const republish = useRepublish(id);
  const refresh = useRefreshAfterAction();
  const close = () => {
    setOpen(false);
    if (!republish.isIdle) refresh();
    republish.reset();
  };
  return (
    <>
      <button
        type="button"
        className={compact ? buttonClass.small : buttonClass.primary}
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
        aria-label={`Retry ${label}`}
      >
        Retry
      </button>
      {open ? (
        <Modal title="Retry this message" onClose={close}>
          {republish.isSuccess ? (
            <DoneNote onClose={close}>
              Republished to {republish.data.target.exchange ? `exchange ${republish.data.target.exchange}` : `queue ${republish.data.target.routingKey}`}{' '}
              (retry {republish.data.republishCount}). Whether it comes back is shown at the bottom right.
            </DoneNote>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                republish.mutate(
                  { reason: reason.trim() || undefined, target, force: force || undefined },
                  {
                    onSuccess: (r) => watchRetry({ id, label, attemptsBefore: attempts, republishCount: r.republishCount, queue: sentToQueue(r.target) }),
                  },
                );
              }}
            >
              <p className="text-sm text-slate-700">The stored message is sent again exactly as it was received, with a new republish count.</p>
              <ValidityWarning validity={validity} onItsPage={!compact} />
              <TargetPicker queue={queue} value={target} onChange={setTarget} />
              <ReasonField value={reason} onChange={setReason} required={false} />
              {canForce ? (
                <label className="mt-2 flex items-center gap-2 text-sm">
                  <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (admin): past the retry limit (needs a reason)
                </label>
              ) : null}
              <ErrorNote error={republish.error} />
              <DialogActions onCancel={close}>
                <button
                  type="submit"
                  className={buttonClass.primary}
                  disabled={republish.isPending || (force && !reason.trim()) || (target.kind === 'exchange' && !target.routingKey)}
                >
                  {republish.isPending ? 'Sending…' : 'Confirm retry'}
                </button>
              </DialogActions>
            </form>
          )}
        </Modal>
      ) : null}
    </>
  );
}

/** Why an unchanged body will likely die again, or nothing for a valid one. */
function ValidityWarning({ validity, onItsPage }: { validity: { status: string; violations?: number } | null; onItsPage: boolean }) {
  if (!validity || validity.status === 'valid') return null;
  const n = validity.violations;
  const what =
    validity.status === 'invalid'
      ? `This body breaks its event contract${n ? ` (${n} ${n === 1 ? 'violation' : 'violations'})` : ''}.`
      : validity.status === 'unparseable'
        ? 'This body is not readable JSON.'
        : validity.status === 'unknown-type'
          ? 'Its event type is not one of the platform contracts.'
          : validity.status === 'unsupported-version'
            ? 'Its version is one no consumer supports.'
            : `The drain found it ${validity.status}.`;
  return (
    <p role="note" data-testid="retry-validity-warning" className="mt-2 rounded border border-amber-300 bg-amber-50 px-2 py-1 text-sm text-amber-900">
      {what} Sent unchanged, its consumer will most likely fail on it again: Edit &amp; retry{onItsPage ? '' : ', on its page,'} fixes the body first.
    </p>
  );
}

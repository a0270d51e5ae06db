'use client';
// Discard (with a reason) and restore (back to pending). Nothing is deleted by either.
import { useState } from 'react';
import { useDiscard } from '@/components/hooks/use-discard';
import { useRestore } from '@/components/hooks/use-restore';
import { buttonClass, DialogActions, ErrorNote, Modal, ReasonField } from './modal';

export function DiscardButton({ id }: { id: string }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const discard = useDiscard(id);
  const close = () => {
    setOpen(false);
    discard.reset();
  };
  return (
    <>
      <button type="button" className={buttonClass.danger} onClick={() => setOpen(true)}>
        Discard
      </button>
      {open ? (
        <Modal title="Discard this dead letter" onClose={close}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              discard.mutate(reason.trim(), { onSuccess: close });
            }}
          >
            <p className="text-sm text-slate-700">It stays stored (and can be restored) until retention purges it; it just leaves the pending work.</p>
            <ReasonField value={reason} onChange={setReason} />
            <ErrorNote error={discard.error} />
            <DialogActions onCancel={close}>
              <button type="submit" className={buttonClass.primary} disabled={!reason.trim() || discard.isPending}>
                Discard
              </button>
            </DialogActions>
          </form>
        </Modal>
      ) : null}
    </>
  );
}

export function RestoreButton({ id }: { id: string }) {
  const restore = useRestore(id);
  return (
    <span>
      <button type="button" className={buttonClass.secondary} disabled={restore.isPending} onClick={() => restore.mutate(undefined)}>
        Restore to pending
      </button>
      <ErrorNote error={restore.error} />
    </span>
  );
}

'use client';
// Discard (with a reason) and restore (back to pending). Nothing is deleted by either.
import { useState } from 'react';
import { useDiscard } from '@/components/hooks/use-discard';
import { useRestore } from '@/components/hooks/use-restore';
import { buttonClass, ErrorNote, Modal } from './modal';

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
            <label className="mt-3 block text-sm">
              Reason <span className="text-rose-700">*</span>
              <input className="mt-0.5 block w-full rounded border border-slate-300 px-2 py-1" value={reason} onChange={(e) => setReason(e.target.value)} required />
            </label>
            <ErrorNote error={discard.error} />
            <div className="mt-4 flex justify-end gap-2">
              <button type="button" className={buttonClass.secondary} onClick={close}>
                Cancel
              </button>
              <button type="submit" className={buttonClass.primary} disabled={!reason.trim() || discard.isPending}>
                Discard
              </button>
            </div>
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

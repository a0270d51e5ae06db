'use client';
// Opens the Edit & retry dialog; only for bodies stored as text (a binary body has no JSON to edit).
import { useState } from 'react';
import { buttonClass } from './modal';
import { EditRetryDialog, type EditableDeadLetter } from './edit-retry-dialog';

export function EditRetryButton({ deadLetter, canForce }: { deadLetter: EditableDeadLetter | null; canForce: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className={buttonClass.secondary}
        disabled={!deadLetter}
        title={deadLetter ? undefined : 'The body is binary: there is no text to edit'}
        onClick={() => setOpen(true)}
      >
        Edit &amp; retry
      </button>
      {open && deadLetter ? <EditRetryDialog deadLetter={deadLetter} canForce={canForce} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

'use client';
// A dialog over the page, in a portal. Keys and clicks stop here: the list behind it has its own
// keyboard shortcuts (j/k/Enter) and clickable rows, which must not see what the dialog gets.
import { useSyncExternalStore, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

const noSubscription = () => () => {};

export function Modal({ title, onClose, children, wide = false }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  // false while rendering on the server (no document.body to portal into), true in the browser
  const mounted = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  if (!mounted) return null;
  return createPortal(
    <div
      className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-slate-900/40 p-6"
      onClick={(e) => {
        e.stopPropagation();
        if (e.target === e.currentTarget) onClose();
      }}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Escape') onClose();
      }}
    >
      <div role="dialog" aria-modal="true" aria-label={title} className={`w-full ${wide ? 'max-w-5xl' : 'max-w-lg'} rounded-lg bg-white p-4 shadow-xl`}>
        <div className="mb-3 flex items-center justify-between">
          <h2 className="text-base font-semibold text-slate-900">{title}</h2>
          <button type="button" onClick={onClose} aria-label="Close dialog" className="rounded px-2 text-slate-500 hover:bg-slate-100">
            ×
          </button>
        </div>
        {children}
      </div>
    </div>,
    document.body,
  );
}

export const buttonClass = {
  primary: 'rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50',
  secondary: 'rounded border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50',
  danger: 'rounded border border-rose-300 bg-white px-3 py-1.5 text-sm text-rose-700 hover:bg-rose-50 disabled:cursor-not-allowed disabled:opacity-50',
  small: 'rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50',
};

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as { message?: string; status?: number };
  return (
    <p role="alert" className="mt-2 rounded border border-rose-200 bg-rose-50 px-2 py-1 text-sm text-rose-800">
      {e.status ? `${e.status}: ` : ''}
      {e.message ?? (typeof error === 'string' ? error : 'The request failed')}
    </p>
  );
}

/** The outcome of a finished action, with the button that closes the dialog. */
export function DoneNote({ children, onClose }: { children: ReactNode; onClose: () => void }) {
  return (
    <div role="status" className="text-sm text-emerald-800">
      {children}
      <div className="mt-3 text-right">
        <button type="button" className={buttonClass.secondary} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

/** The reason an action is recorded with in the audit log: required, or optional where it is. */
export function ReasonField({ value, onChange, required = true }: { value: string; onChange: (value: string) => void; required?: boolean }) {
  return (
    <label className="mt-3 block text-sm">
      Reason {required ? <span className="text-rose-700">*</span> : <span className="text-slate-500">(optional, goes into the audit log)</span>}
      <input
        className="mt-0.5 block w-full rounded border border-slate-300 px-2 py-1"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={required}
      />
    </label>
  );
}

/** A dialog's footer: Cancel, then its one action (the children). */
export function DialogActions({ onCancel, children }: { onCancel: () => void; children: ReactNode }) {
  return (
    <div className="mt-4 flex justify-end gap-2">
      <button type="button" className={buttonClass.secondary} onClick={onCancel}>
        Cancel
      </button>
      {children}
    </div>
  );
}

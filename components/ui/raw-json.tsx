'use client';
// The raw JSON behind a sentence, one click away: a small "raw" toggle, shown as text (React
// escapes it), never as HTML.
import { useState } from 'react';

export function RawToggle({ value, label = 'raw' }: { value: unknown; label?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="ml-1 rounded px-1 text-[10px] uppercase tracking-wide text-slate-500 ring-1 ring-slate-200 hover:text-slate-700"
        aria-expanded={open}
        data-testid="raw-toggle"
        onClick={() => setOpen(!open)}
      >
        {label}
      </button>
      {open ? (
        <pre
          className="mt-1 max-h-60 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-[11px] text-slate-600"
          data-testid="raw-json"
        >
          {JSON.stringify(value, null, 2) ?? String(value)}
        </pre>
      ) : null}
    </>
  );
}

/** Labelled values, for what no sentence says. */
export function FactList({ facts }: { facts: { label: string; value: string }[] }) {
  if (facts.length === 0) return null;
  return (
    <dl className="mt-0.5 grid grid-cols-[max-content_1fr] gap-x-2 text-xs" data-testid="facts">
      {facts.map((f) => (
        <div key={f.label} className="contents">
          <dt className="text-slate-500">{f.label}</dt>
          <dd className="break-all font-mono">{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}

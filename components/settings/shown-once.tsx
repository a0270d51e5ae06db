'use client';
// A secret (new token or generated password) shown once, with a copy button.
import { useState } from 'react';

export function ShownOnce({ label, value, testId, onDone }: { label: string; value: string; testId: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm" role="status">
      <p className="mb-2 text-amber-900">{label} It is shown only this once: copy it now.</p>
      <div className="flex items-center gap-2">
        <code className="flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid={testId}>
          {value}
        </code>
        <button
          type="button"
          className="rounded border border-slate-300 bg-white px-2 py-1"
          onClick={async () => {
            await navigator.clipboard?.writeText(value).catch(() => {
              /* clipboard refused (permissions, insecure origin): the value stays on screen to copy by hand */
            });
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="rounded border border-slate-300 bg-white px-2 py-1" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

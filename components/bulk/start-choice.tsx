'use client';
// When a bulk republish starts: now, or at a time typed in the browser's local time (the input
// the operator knows; start-at.ts turns it into startAt). The console shows times in UTC, so the
// UTC reading is shown next to it.
import { formatTime } from '@/components/ui/format';
import type { Start } from './start-at';

export function StartChoice({ value, onChange, problem }: { value: Start; onChange: (start: Start) => void; problem: string | null }) {
  const local = value.kind === 'at' ? value.local : '';
  return (
    <fieldset className="mt-2 text-sm">
      <legend>Start</legend>
      <div className="mt-0.5 flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-1">
          <input type="radio" name="bulk-start" checked={value.kind === 'now'} onChange={() => onChange({ kind: 'now' })} /> now
        </label>
        <label className="flex items-center gap-1">
          <input type="radio" name="bulk-start" checked={value.kind === 'at'} onChange={() => onChange({ kind: 'at', local })} /> at a time
        </label>
        {value.kind === 'at' ? (
          <>
            <input
              type="datetime-local"
              aria-label="Start at (your local time)"
              className="rounded border border-slate-300 px-2 py-1"
              value={local}
              onChange={(e) => onChange({ kind: 'at', local: e.target.value })}
            />
            {problem ? (
              <span className="text-xs text-rose-700">{problem}</span>
            ) : (
              <span className="text-xs text-slate-500">your local time; {formatTime(new Date(local).toISOString())}</span>
            )}
          </>
        ) : null}
      </div>
    </fieldset>
  );
}

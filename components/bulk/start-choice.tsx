'use client';
// When a bulk republish starts: now, or at a time typed in the browser's local time (the input
// the operator knows) and sent as ISO 8601 with that offset, so the server reads the same instant.
// The console shows times in UTC, so the UTC reading is shown next to it.
import { MAX_SCHEDULE_DAYS } from '@/lib/schemas/bulk';
import { formatTime } from '@/components/ui/format';

export type Start = { kind: 'now' } | { kind: 'at'; local: string };

const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0');

/** `date` as 2026-12-05T22:30:00+01:00 in the browser's time zone. */
export function isoWithLocalOffset(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/** The startAt to send (none for now), or why the time typed cannot be one. */
export function startAtOf(start: Start, now = Date.now()): { ok: true; value?: string } | { ok: false; message: string } {
  if (start.kind === 'now') return { ok: true };
  // A datetime-local value has no offset: Date reads it as local time, as the input showed it.
  const date = new Date(start.local);
  if (!start.local || Number.isNaN(date.getTime())) return { ok: false, message: 'Pick a date and time.' };
  if (date.getTime() <= now) return { ok: false, message: 'The start time is in the past.' };
  if (date.getTime() > now + MAX_SCHEDULE_DAYS * 86_400_000) return { ok: false, message: `A job starts at most ${MAX_SCHEDULE_DAYS} days ahead.` };
  return { ok: true, value: isoWithLocalOffset(date) };
}

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

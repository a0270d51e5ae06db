// When a bulk republish starts, as the dialog sends it: nothing for now, or startAt, the time the
// operator typed in the browser's local time (a datetime-local value, no offset) as ISO 8601
// with that offset, so the server reads the same instant. Pure, for the dialog and the tests.
import { MAX_SCHEDULE_DAYS } from '@/lib/schemas/bulk';

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

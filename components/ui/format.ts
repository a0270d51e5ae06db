// Display formatting shared by the console's tables. Times are shown in UTC by default
// (operators compare them with broker and service logs, which are in UTC) or in the browser's
// zone when the user switched to local time (components/ui/preferences.tsx sets the zone here
// and re-renders its readers); counts with separators.

/** 'UTC', or an IANA zone such as 'Asia/Kolkata'. */
let displayZone = 'UTC';

/** Set by the preferences provider; formatTime reads it. */
export function setDisplayZone(zone: string): void {
  displayZone = zone;
}

export function getDisplayZone(): string {
  return displayZone;
}

/** The browser's own zone (UTC when it cannot tell). */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    zoneFormats.set(zone, f);
  }
  return f;
}

/**
 * `2026-12-05 14:03:07Z` in UTC; `2026-12-05 19:33:07 +05:30` in another zone (the offset of
 * that instant, so summer and winter time read right).
 */
export function formatTimeIn(iso: string | null | undefined, zone: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (zone === 'UTC') {
    return d
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, 'Z');
  }
  const parts = Object.fromEntries(
    zoneFormat(zone)
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const offset = (parts.timeZoneName ?? '').replace(/^GMT/, '') || '+00:00';
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

/** A time in the zone the user chose (UTC unless switched to local). */
export function formatTime(iso: string | null | undefined): string {
  return formatTimeIn(iso, displayZone);
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; a future time "in 3 min". */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const diff = Math.round((now - t) / 1000);
  const s = Math.abs(diff);
  let span: string;
  if (s < 5) return 'just now';
  else if (s < 60) span = `${s} s`;
  else if (s < 3600) span = `${Math.floor(s / 60)} min`;
  else if (s < 86400) span = `${Math.floor(s / 3600)} h`;
  else span = `${Math.floor(s / 86400)} d`;
  return diff < 0 ? `in ${span}` : `${span} ago`;
}

export function formatCount(n: number | null | undefined, capped = false): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString('en-US') + (capped ? '+' : '');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

// Shown times: UTC or a zone (with that instant's offset), relative wording, the stored
// preferences and the no-flash theme script's key.
import { afterEach, describe, expect, it } from 'vitest';
import { formatAgo, formatTime, formatTimeIn, getDisplayZone, setDisplayZone } from '@/components/ui/format';
import { parsePreferences, preferencesKey, themeScript } from '@/components/ui/preferences-store';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('formatAgo', () => {
  it.each([
    [0, 'just now'],
    [4, 'just now'],
    [5, '5 s ago'],
    [59, '59 s ago'],
    [60, '1 min ago'],
    [3 * 60 + 59, '3 min ago'],
    [3599, '59 min ago'],
    [3600, '1 h ago'],
    [86_399, '23 h ago'],
    [86_400, '1 d ago'],
    [10 * 86_400, '10 d ago'],
    [-3 * 60, 'in 3 min'],
    [-2, 'just now'],
  ])('%i s before now: %s', (seconds, expected) => {
    expect(formatAgo(ago(seconds), NOW)).toBe(expected);
  });

  it('says never without a time and a dash for an unreadable one', () => {
    expect(formatAgo(null, NOW)).toBe('never');
    expect(formatAgo(undefined, NOW)).toBe('never');
    expect(formatAgo('not a time', NOW)).toBe('—');
  });
});

describe('formatTimeIn', () => {
  const iso = '2026-12-05T23:40:05.123Z';

  it('shows UTC with a Z, to the second', () => {
    expect(formatTimeIn(iso, 'UTC')).toBe('2026-12-05 23:40:05Z');
  });

  it('shows a fixed zone with its offset, the date moving with it', () => {
    expect(formatTimeIn(iso, 'Asia/Kolkata')).toBe('2026-12-06 05:10:05 +05:30');
    expect(formatTimeIn(iso, 'America/New_York')).toBe('2026-12-05 18:40:05 -05:00');
  });

  it("takes the instant's offset (summer time)", () => {
    expect(formatTimeIn('2026-07-01T12:00:00Z', 'Europe/Berlin')).toBe('2026-07-01 14:00:00 +02:00');
    expect(formatTimeIn('2026-01-01T12:00:00Z', 'Europe/Berlin')).toBe('2026-01-01 13:00:00 +01:00');
  });

  it('shows midnight as 00, not 24', () => {
    expect(formatTimeIn('2026-12-05T18:30:00Z', 'Asia/Kolkata')).toBe('2026-12-06 00:00:00 +05:30');
  });

  it('keeps a dash for no time and the text of an unreadable one', () => {
    expect(formatTimeIn(null, 'UTC')).toBe('—');
    expect(formatTimeIn('yesterday', 'Asia/Kolkata')).toBe('yesterday');
  });
});

describe('formatTime follows the display zone', () => {
  afterEach(() => setDisplayZone('UTC'));

  it('is UTC until switched, then the chosen zone', () => {
    expect(getDisplayZone()).toBe('UTC');
    expect(formatTime('2026-12-05T23:40:05Z')).toBe('2026-12-05 23:40:05Z');
    setDisplayZone('Asia/Kolkata');
    expect(formatTime('2026-12-05T23:40:05Z')).toBe('2026-12-06 05:10:05 +05:30');
  });
});

describe('stored preferences', () => {
  it('are kept per user email', () => {
    expect(preferencesKey('ops@example.com')).toBe('eventdesk.prefs:ops@example.com');
    expect(preferencesKey(null)).toBe('eventdesk.prefs');
  });

  it('fall back to UTC and the system theme for anything unknown', () => {
    expect(parsePreferences(null)).toEqual({ time: 'utc', theme: 'system' });
    expect(parsePreferences('{"time":"local","theme":"dark"}')).toEqual({ time: 'local', theme: 'dark' });
    expect(parsePreferences('{"time":"mars","theme":"purple"}')).toEqual({ time: 'utc', theme: 'system' });
    expect(parsePreferences('{not json')).toEqual({ time: 'utc', theme: 'system' });
  });

  it("the theme script reads the user's key and cannot close its script element", () => {
    const script = themeScript('a</script><b>@example.com');
    expect(script).not.toContain('</script>');
    expect(script).toContain('eventdesk.prefs:a\\u003c/script>\\u003cb>@example.com');
  });
});

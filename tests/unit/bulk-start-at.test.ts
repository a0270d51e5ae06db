// The bulk dialog's "Start at a time": the datetime-local value the operator typed, read in the
// browser's time zone, goes out as ISO 8601 with that zone's offset (half-hour zones and both
// sides of a DST change included), which the request schema takes and which names the same instant.
import { afterEach, describe, expect, it } from 'vitest';
import { bulkRequestSchema } from '@/lib/schemas/bulk';
import { isoWithLocalOffset, startAtOf } from '@/components/bulk/start-at';

const zone = process.env.TZ;
afterEach(() => {
  // Node reads TZ again whenever it changes
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

const now = Date.UTC(2026, 11, 5, 20, 0);

describe('startAtOf', () => {
  it('now sends no startAt', () => {
    expect(startAtOf({ kind: 'now' }, now)).toEqual({ ok: true });
  });

  it.each([
    ['Europe/Berlin', '2026-12-05T22:30', '2026-12-05T22:30:00+01:00', Date.UTC(2026, 11, 5, 21, 30)],
    ['America/St_Johns', '2026-12-05T22:30', '2026-12-05T22:30:00-03:30', Date.UTC(2026, 11, 6, 2, 0)],
    ['Asia/Kolkata', '2026-12-06T08:00', '2026-12-06T08:00:00+05:30', Date.UTC(2026, 11, 6, 2, 30)],
    ['UTC', '2026-12-05T21:00', '2026-12-05T21:00:00+00:00', Date.UTC(2026, 11, 5, 21, 0)],
    // summer time on the chosen day, winter time today
    ['Australia/Sydney', '2026-12-10T09:00', '2026-12-10T09:00:00+11:00', Date.UTC(2026, 11, 9, 22, 0)],
  ])('%s: %s is sent as %s', (tz, local, iso, instant) => {
    process.env.TZ = tz;
    const start = startAtOf({ kind: 'at', local }, now);
    expect(start).toEqual({ ok: true, value: iso });
    expect(Date.parse(iso)).toBe(instant);
    expect(bulkRequestSchema.safeParse({ action: 'republish', selection: { groupId: 'ab12' }, reason: 'x', startAt: iso }).success).toBe(true);
  });

  it('refuses an empty value, a time in the past and one past the schedule limit', () => {
    process.env.TZ = 'UTC';
    expect(startAtOf({ kind: 'at', local: '' }, now)).toEqual({ ok: false, message: 'Pick a date and time.' });
    expect(startAtOf({ kind: 'at', local: '2026-12-05T19:59' }, now)).toEqual({ ok: false, message: 'The start time is in the past.' });
    expect(startAtOf({ kind: 'at', local: '2027-01-05T20:01' }, now)).toMatchObject({ ok: false, message: expect.stringMatching(/at most 30 days/) });
  });

  it('isoWithLocalOffset keeps the seconds', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(isoWithLocalOffset(new Date(Date.UTC(2026, 6, 1, 10, 0, 7)))).toBe('2026-07-01T12:00:07+02:00');
  });
});

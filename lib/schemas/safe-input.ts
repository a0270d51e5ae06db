// Building blocks of every request schema: text that PostgreSQL and the broker can take as it is
// (no NUL, no lone surrogate, bounded), instants PostgreSQL can store (years 1970-9999), and
// bigint ids. What fails here is a 400 naming the field, never a database error (a 500).
import { z } from 'zod';

/** An empty query parameter (`?eventType=`) means "no filter", as a cleared form field would. */
export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A NUL (PostgreSQL text refuses it) or a lone UTF-16 surrogate (not encodable as UTF-8). */
export function badCharacter(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return 'must not contain NUL characters';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return 'must not contain lone surrogates (invalid Unicode)';
    } else if (c >= 0xdc00 && c <= 0xdfff) return 'must not contain lone surrogates (invalid Unicode)';
  }
  return null;
}

const wellFormed = (s: string) => badCharacter(s) === null;
const WELL_FORMED = { message: 'must not contain NUL characters or lone surrogates' };

/** Text of at most `max` characters without NUL or lone surrogates. */
export const safeText = (max: number) => z.string().max(max).refine(wellFormed, WELL_FORMED);

/** Trimmed `safeText`, `min` characters at least. */
export const safeTrimmed = (max: number, min = 0, minMessage?: string) =>
  z.string().refine(wellFormed, WELL_FORMED).pipe(z.string().trim().min(min, minMessage).max(max));

/** First and last year an instant may have (PostgreSQL has no year 0; JS dates end at 275760). */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 9999;

/**
 * Whether a text's leading YYYY-MM-DD, if it has one, is a day of the calendar: Date.parse rolls
 * 2024-02-30 over to March 1st, which a filter then took without a word.
 */
function calendarDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return true;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRange(date: Date): boolean {
  const t = date.getTime();
  return Number.isFinite(t) && date.getUTCFullYear() >= MIN_YEAR && date.getUTCFullYear() <= MAX_YEAR;
}

export function instantInRange(ms: number): boolean {
  return Number.isSafeInteger(ms) && inRange(new Date(ms));
}

const INSTANT_MESSAGE = `expected an ISO date-time between ${MIN_YEAR} and ${MAX_YEAR}`;

/**
 * A date-time (ISO 8601, or what Date.parse reads) with a year from 1970 to 9999, as an ISO
 * string. Blank = absent.
 */
export const isoInstant = z.preprocess(
  blankToUndefined,
  z
    .string()
    .max(64, INSTANT_MESSAGE)
    .refine((v) => wellFormed(v) && calendarDay(v) && inRange(new Date(v)), INSTANT_MESSAGE)
    .transform((v) => new Date(v).toISOString())
    .optional(),
);

/** Strict ISO 8601 date-time with an offset, year 1970-9999, as a Date. Blank = absent. */
export const isoInstantDate = z.preprocess(
  blankToUndefined,
  z.iso
    .datetime({ offset: true, message: 'expected an ISO 8601 date-time' })
    .refine((v) => inRange(new Date(v)), INSTANT_MESSAGE)
    .transform((v) => new Date(v))
    .optional(),
);

export const BIGINT_MAX = 9223372036854775807n;

/** A positive PostgreSQL bigint written in decimal (an audit cursor): no more than 2^63-1. */
export const bigintText = (message = 'expected a cursor from a previous page') =>
  z
    .string()
    .regex(/^\d{1,19}$/, message)
    // zod runs this even when the regex failed: BigInt('x') would throw (a 500)
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= BIGINT_MAX, message);

/** A path id: any UUID PostgreSQL accepts. */
export const uuidText = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a UUID');

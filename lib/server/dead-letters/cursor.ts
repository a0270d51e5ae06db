// Opaque keyset cursors for the dead-letter list: the (lastFailedAt, id) of the row a page
// ends at, and the direction to go from there. Never an OFFSET, so a page stays the same while
// newer dead letters arrive above it.
import 'server-only';
import { ApiError } from '@/lib/api/errors';

export interface Cursor {
  lastFailedAt: Date;
  id: string;
  /** 'next' = older rows after this one; 'prev' = newer rows before it */
  direction: 'next' | 'prev';
}

/** Years 1-9999: any time PostgreSQL and Date both hold (a stored x-death time may predate 1970). */
const MIN_CURSOR_MS = -62135596800000; // 0001-01-01T00:00:00Z (Date.UTC maps years 0-99 to 19xx)
const MAX_CURSOR_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(c: Cursor): string {
  const raw = `${c.direction === 'next' ? 'n' : 'p'}.${c.lastFailedAt.getTime()}.${c.id}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  const bad = () =>
    new ApiError('invalid_request', 'Invalid query parameter: cursor', [{ field: 'cursor', message: 'expected a cursor from a previous page' }]);
  let raw: string;
  try {
    raw = Buffer.from(value, 'base64url').toString('utf8');
  } catch {
    throw bad();
  }
  const [d, ms, id] = raw.split('.');
  const t = Number(ms);
  // a hand-made cursor with a huge timestamp would be an Invalid Date (or a year PostgreSQL lacks)
  if ((d !== 'n' && d !== 'p') || !/^-?\d{1,16}$/.test(ms ?? '') || !(t >= MIN_CURSOR_MS && t <= MAX_CURSOR_MS) || !UUID.test(id ?? '')) throw bad();
  return { direction: d === 'n' ? 'next' : 'prev', lastFailedAt: new Date(t), id };
}

/**
 * The uuid just before (-1) or after (+1) `id` in PostgreSQL's uuid order. Cursors are exclusive;
 * an empty page (a search walk that found nothing) has no row of its own to point back from, so
 * it points from the uuid next to the one it started at, which includes that row again.
 */
export function adjacentUuid(id: string, step: -1 | 1): string {
  const n = (BigInt(`0x${id.replace(/-/g, '')}`) + BigInt(step)) & ((1n << 128n) - 1n);
  const h = n.toString(16).padStart(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

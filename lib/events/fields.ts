// Field schemas shared by the contracts, so "an id" or "a price" means the same in every event.
import { z } from 'zod';

/** A format message that still says "is required" when the field is absent. */
export function formatError(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);
}

/** Platform ids are opaque strings (`user123`, uuids, ...): only non-empty is guaranteed. */
export const entityId = z.string().trim().min(1, 'must not be empty').max(200);

/** ISO 8601 date-time with Z or an offset, as the producers emit (`2023-11-20T10:30:00Z`). */
export const isoDateTime = z.iso.datetime({ offset: true, error: formatError('must be an ISO 8601 date-time') });

export const email = z.email({ error: formatError('must be an email address') });

export const httpUrl = z.url({ protocol: /^https?$/, error: formatError('must be an http(s) URL') });

export const role = z.enum(['STUDENT', 'INSTRUCTOR', 'ADMIN']);

export const money = z.number().finite().nonnegative('must not be negative');

export const currency = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code');

export const courseIds = z.array(entityId).min(1, 'must list at least one course');

export const title = z.string().trim().min(1, 'must not be empty').max(500);

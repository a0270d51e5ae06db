// Field schemas shared by the contracts, so "an id" or "a price" means the same in every event.
import { z } from 'zod';

/** A format message that still says "is required" when the field is absent. */
export function formatError(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);
}

/**
 * Control characters (C0, DEL, C1). An id, a source or a name holding one (a NUL, say, which
 * PostgreSQL's text cannot store) passed `trim().min(1)` and failed later in every consumer,
 * a retry at a time, or went into its logs and databases as it was.
 */
const CONTROL = /\p{Cc}/u;
/** The same, but tab, line feed and carriage return (allowed in text a person wrote). */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROL_MESSAGE = 'must not hold control characters';

/** A name a program gives (an event's `source`): non-empty, no control characters. */
export const identifier = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((s) => !CONTROL.test(s), CONTROL_MESSAGE);

/** Platform ids are opaque strings (`user123`, uuids, ...): identifiers of at most 200 characters. */
export const entityId = identifier.max(200);

/** Text a person wrote (a name, a title, a category): not blank, no control characters but tab and line breaks. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .refine((s) => !CONTROL_IN_TEXT.test(s), CONTROL_MESSAGE);

/** The nil and max UUIDs (all zeros, all ones) name no event: every producer sending one would be one event to idempotency. */
const PLACEHOLDER_UUIDS: Record<string, string> = {
  '00000000-0000-0000-0000-000000000000': 'must not be the nil UUID',
  'ffffffff-ffff-ffff-ffff-ffffffffffff': 'must not be the max UUID',
};

/** An event id: a UUID (either case: they are compared lower-cased), not the nil or max one. */
export const eventId = z.uuid({ error: formatError('must be a UUID') }).superRefine((s, ctx) => {
  // (in upper case the max one is no UUID to zod: refused as such)
  const placeholder = PLACEHOLDER_UUIDS[s];
  if (placeholder) ctx.addIssue({ code: 'custom', message: placeholder });
});

/** ISO 8601 date-time with Z or an offset, as the producers emit (`2023-11-20T10:30:00Z`). */
export const isoDateTime = z.iso.datetime({ offset: true, error: formatError('must be an ISO 8601 date-time') });

export const email = z.email({ error: formatError('must be an email address') });

export const httpUrl = z.url({ protocol: /^https?$/, error: formatError('must be an http(s) URL') });

export const role = z.enum(['STUDENT', 'INSTRUCTOR', 'ADMIN']);

export const money = z.number().finite().nonnegative('must not be negative');

export const currency = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code');

export const courseIds = z.array(entityId).min(1, 'must list at least one course');

export const title = text(500);

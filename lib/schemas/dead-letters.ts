// Query and response shapes of GET /api/dead-letters, /api/dead-letters/:id and
// /api/dead-letters/facets (README, HTTP API), shared by the route handlers and the client hooks.
import { z } from 'zod';
import { blankToUndefined, isoInstant, safeTrimmed } from './safe-input';

/** unreadable: parked by the drain (it could not read or store the message); see README, Drain */
export const DEAD_LETTER_STATUSES = ['pending', 'republished', 'discarded', 'unreadable'] as const;
export const DEAD_LETTER_REASONS = ['rejected', 'expired', 'maxlen', 'delivery_limit'] as const;
export const VALIDITY_VALUES = ['valid', 'invalid', 'unparseable', 'unknown-type', 'unsupported-version'] as const;
export const PAGE_SIZES = [50, 100, 250] as const;
export const DEFAULT_PAGE_SIZE = 50;

const text = (max: number) => z.preprocess(blankToUndefined, safeTrimmed(max).optional());
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(blankToUndefined, z.enum(values).optional());
/** years 1970-9999 (PostgreSQL has no year 0) */
const instant = isoInstant;

/** Longest run of '-' (NOT) a search may have (measured: 8 in a row, 50 times, is still parsed). */
const MAX_NOT_RUN = 8;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/**
 * Whether q has more than MAX_NOT_RUN '-' in a row. PostgreSQL's parser reads any characters
 * between them that are no part of a word ('!', '(', '&', '|', '<', spaces...) as nothing, so
 * only a letter or a digit ends a run ('-!-!-!...a' 40 times failed the query: found by a probe).
 * One linear pass.
 */
export function tooManyNots(q: string): boolean {
  let run = 0;
  for (const c of q) {
    if (c === '-') {
      if (++run > MAX_NOT_RUN) return true;
    } else if (WORD_CHAR.test(c)) run = 0;
  }
  return false;
}

export const deadLetterFilterSchema = z.object({
  eventType: text(200),
  queue: text(255),
  /** the DLQ the dead letter's latest death was drained from (DLQ_QUEUE lists them) */
  dlq: text(255),
  /** '(none)' selects dead letters without x-death (as their failure group names them) */
  reason: oneOf([...DEAD_LETTER_REASONS, '(none)'] as const),
  status: oneOf(DEAD_LETTER_STATUSES),
  validity: oneOf(VALIDITY_VALUES),
  /**
   * full-text search over the body text and the error message (websearch syntax); PostgreSQL
   * fails a query with ~32 '-' (NOT) in a row ("tsquery stack too small"), so a run of more
   * than MAX_NOT_RUN is refused here
   */
  q: z.preprocess(
    blankToUndefined,
    safeTrimmed(200)
      .refine((q) => !tooManyNots(q), `has more than ${MAX_NOT_RUN} '-' (NOT) in a row`)
      .optional(),
  ),
  /** on lastFailedAt, inclusive lower bound */
  from: instant,
  /** on lastFailedAt, exclusive upper bound */
  to: instant,
  groupId: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[0-9a-f]{1,64}$/i, 'expected a group id')
      .optional(),
  ),
  correlationId: text(255),
  /** true: only dead letters that died again after a republish (failedAgainAfterRetry) */
  failedAgain: z.preprocess(blankToUndefined, z.enum(['true']).optional()),
});

export const deadLetterListQuerySchema = deadLetterFilterSchema.extend({
  limit: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: 'expected 50, 100 or 250' })
      .refine((n) => (PAGE_SIZES as readonly number[]).includes(n), 'expected 50, 100 or 250')
      .default(DEFAULT_PAGE_SIZE),
  ),
  /** opaque keyset cursor from nextCursor / prevCursor */
  cursor: z.preprocess(
    blankToUndefined,
    z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, 'expected a cursor from a previous page')
      .optional(),
  ),
});

export type DeadLetterFilter = z.infer<typeof deadLetterFilterSchema>;
export type DeadLetterListQuery = z.infer<typeof deadLetterListQuerySchema>;
/** What a client puts in the URL (everything optional, as strings or numbers). */
export type DeadLetterListParams = Partial<Record<keyof DeadLetterFilter | 'cursor', string>> & { limit?: number };

export const deadLetterSchema = z.object({
  id: z.string(),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  version: z.string().nullable(),
  routingKey: z.string().nullable(),
  queue: z.string(),
  reason: z.string().nullable(),
  status: z.enum(DEAD_LETTER_STATUSES),
  attempts: z.number(),
  republishCount: z.number(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  errorMessage: z.string().nullable(),
  valid: z.boolean(),
  /** valid | invalid | unparseable | unknown-type | unsupported-version */
  validationStatus: z.string(),
  groupId: z.string(),
  correlationId: z.string().nullable(),
  /** republished, then dead-lettered again (set by the drain, never cleared) */
  failedAgainAfterRetry: z.boolean(),
  /** the DLQ its latest death was drained from */
  dlq: z.string(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

export const deadLetterListSchema = z.object({
  items: z.array(deadLetterSchema),
  /** next (older) page; null on the last page */
  nextCursor: z.string().nullable(),
  /** previous (newer) page; null on the first page */
  prevCursor: z.string().nullable(),
  /**
   * Set when a search of a common term stopped after examining this many rows of the view (see
   * lib/server/dead-letters/list-dead-letters.ts): the page holds the hits among them, maybe
   * fewer than the limit, and the cursor continues the search beyond them.
   */
  searchedRows: z.number().int().optional(),
});
export type DeadLetterList = z.infer<typeof deadLetterListSchema>;

export const deathSchema = z.object({
  queue: z.string().nullable(),
  reason: z.string().nullable(),
  count: z.number().nullable(),
  exchange: z.string().nullable(),
  routingKeys: z.array(z.string()),
  time: z.string().nullable(),
});
export type Death = z.infer<typeof deathSchema>;

export const violationSchema = z.object({ path: z.string(), message: z.string() });
export type Violation = z.infer<typeof violationSchema>;

export const historyEntrySchema = z.object({
  at: z.string(),
  action: z.string(),
  actor: z.string(),
  reason: z.string().nullable(),
  details: z.unknown(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const deadLetterDetailSchema = deadLetterSchema.extend({
  exchange: z.string().nullable(),
  contentType: z.string().nullable(),
  receivedAt: z.string(),
  body: z.object({
    encoding: z.enum(['utf8', 'base64']),
    data: z.string(),
    sizeBytes: z.number(),
    sha256: z.string(),
    /** why `data` is empty for this reader: a body over 8 MB is not masked for viewers, so not shown to them */
    omitted: z.string().optional(),
  }),
  /** AMQP properties and headers as stored: JSON, with non-JSON values tagged ({"$bytes": ...}) */
  properties: z.record(z.string(), z.unknown()),
  headers: z.record(z.string(), z.unknown()),
  deaths: z.array(deathSchema),
  validation: z.object({ status: z.enum(VALIDITY_VALUES), violations: z.array(violationSchema) }),
  history: z.array(historyEntrySchema),
  /** Jaeger link from the W3C traceparent header, when JAEGER_URL is set (lib/server/trace-link.ts) */
  traceUrl: z.string().nullable().optional(),
  /** why the drain parked it (status unreadable, or discarded after that); null otherwise */
  unreadableReason: z.string().nullable().optional(),
});
export type DeadLetterDetail = z.infer<typeof deadLetterDetailSchema>;

/** Any UUID PostgreSQL accepts (ids are gen_random_uuid(), but zod's uuid() also checks the RFC version). */
export const deadLetterIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

export const facetValueSchema = z.object({
  value: z.string(),
  count: z.number(),
  /** true when the count stopped at the cap (shown as "10,000+") */
  capped: z.boolean(),
});
export type FacetValue = z.infer<typeof facetValueSchema>;

export const facetsSchema = z.object({
  facets: z.object({
    eventType: z.array(facetValueSchema),
    queue: z.array(facetValueSchema),
    reason: z.array(facetValueSchema),
    status: z.array(facetValueSchema),
    validity: z.array(facetValueSchema),
    /** every DLQ stored or configured (a configured one with nothing stored counts 0) */
    dlq: z.array(facetValueSchema),
  }),
  /** stored dead letters (all statuses) and those pending, from the failure-group rollups */
  total: z.number(),
  pending: z.number(),
  /** filters of the request that the counts do not take into account */
  ignoredFilters: z.array(z.string()),
});
export type Facets = z.infer<typeof facetsSchema>;

/** URL query string of a list view (the one format for links, the page and the hooks). */
export function toSearchParams(params: Record<string, string | number | undefined | null>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    out.set(k, String(v));
  }
  return out;
}

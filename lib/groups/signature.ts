// Failure groups: one bug = one group. Dead letters share a group when they have the same event
// type, consumer queue, reason and error message once the parts that vary per message (ids,
// uuids, numbers, timestamps, emails, urls, quoted values) are replaced by placeholders.
import { createHash } from 'node:crypto';

const RULES: [RegExp, string][] = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b/g, '<ts>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g, '<email>'],
  [/\bhttps?:\/\/[^\s'"]+/g, '<url>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b[0-9a-f]{16,}\b/gi, '<hex>'],
  // generated ids mixing letters and digits (ord_2bffdc3a, med_ab12cd, usr_40f6d19b): the whole token
  [/\b(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{6,}\b/gi, '<id>'],
  // any remaining run of digits, also inside words (S3, 30000ms)
  [/\d+(\.\d+)?/g, '<n>'],
  [/'[^']*'/g, "'<v>'"],
  [/"[^"]*"/g, '"<v>"'],
];

/** Normalises an error message so that messages differing only in ids fall together. */
export function normaliseError(message: string | null | undefined): string {
  if (!message) return '';
  let s = message.split('\n')[0].slice(0, 500);
  for (const [re, to] of RULES) s = s.replace(re, to);
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** How a group names a missing event type, and a missing queue or reason. */
export const UNKNOWN_TYPE = '(unknown)';
export const NONE = '(none)';

export interface GroupKey {
  eventType: string;
  queue: string;
  reason: string;
  signature: string;
}

export function groupKey(input: {
  eventType: string | null | undefined;
  queue: string | null | undefined;
  reason: string | null | undefined;
  errorMessage: string | null | undefined;
  /** used when there is no error message: e.g. the validation status, so poison bodies group apart */
  fallback?: string;
}): GroupKey {
  const signature = normaliseError(input.errorMessage) || (input.fallback ?? '');
  return {
    eventType: input.eventType || UNKNOWN_TYPE,
    queue: input.queue || NONE,
    reason: input.reason || NONE,
    signature,
  };
}

/** Stable id of a group: 16 hex characters of sha256 over its key. */
export function groupId(key: GroupKey): string {
  return createHash('sha256').update([key.eventType, key.queue, key.reason, key.signature].join('\u0000')).digest('hex').slice(0, 16);
}

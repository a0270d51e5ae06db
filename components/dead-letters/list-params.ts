// The list view's state lives in the URL (README, Triage: filters in the
// query string), so a reload or a shared link shows the same view. This reads and writes it.
import { DEFAULT_PAGE_SIZE, PAGE_SIZES, toSearchParams, type DeadLetterListParams } from '@/lib/schemas/dead-letters';

export const FILTER_KEYS = ['eventType', 'queue', 'reason', 'status', 'validity', 'q', 'from', 'to', 'groupId', 'correlationId', 'failedAgain', 'dlq'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export function readListParams(sp: URLSearchParams): DeadLetterListParams {
  const out: DeadLetterListParams = {};
  for (const k of FILTER_KEYS) {
    const v = sp.get(k);
    if (v) out[k] = v;
  }
  const cursor = sp.get('cursor');
  if (cursor) out.cursor = cursor;
  const limit = Number(sp.get('limit'));
  if ((PAGE_SIZES as readonly number[]).includes(limit) && limit !== DEFAULT_PAGE_SIZE) out.limit = limit;
  return out;
}

export function filterOf(p: DeadLetterListParams): Omit<DeadLetterListParams, 'cursor' | 'limit'> {
  const { cursor: _c, limit: _l, ...filter } = p;
  return filter;
}

export function listHref(p: DeadLetterListParams): string {
  const qs = toSearchParams(p).toString();
  return qs ? `/?${qs}` : '/';
}

'use client';
// GET /api/dead-letters: one page of the list, polled so new dead letters show up on their own.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { deadLetterListSchema, toSearchParams, type DeadLetterListParams } from '@/lib/schemas/dead-letters';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export const LIST_REFRESH_MS = 5_000;

export function useDeadLetters(params: DeadLetterListParams) {
  return useQuery({
    queryKey: queryKeys.deadLetters.list(params),
    queryFn: ({ signal }) => fetchJson(`/api/dead-letters?${toSearchParams(params)}`, deadLetterListSchema, signal),
    refetchInterval: LIST_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

'use client';
// GET /api/dead-letters/facets: counts beside the filter values, refreshed less often than the list.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { facetsSchema, toSearchParams, type DeadLetterListParams } from '@/lib/schemas/dead-letters';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useDeadLetterFacets(filter: Omit<DeadLetterListParams, 'cursor' | 'limit'>) {
  return useQuery({
    queryKey: queryKeys.deadLetters.facets(filter),
    queryFn: ({ signal }) => fetchJson(`/api/dead-letters/facets?${toSearchParams(filter)}`, facetsSchema, signal),
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });
}

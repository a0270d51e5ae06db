'use client';
// GET /api/stats/summary: the per-type table of the throughput page.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { summarySchema } from '@/lib/schemas/stats';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useThroughputSummary() {
  return useQuery({
    queryKey: queryKeys.stats.summary(),
    queryFn: ({ signal }) => fetchJson('/api/stats/summary', summarySchema, signal),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
}

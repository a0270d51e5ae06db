'use client';
// GET /api/stats/throughput for a sliding range ending now, refreshed every 5 s.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { THROUGHPUT_RANGES, throughputSchema, type ThroughputRange } from '@/lib/schemas/stats';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export const THROUGHPUT_REFRESH_MS = 5_000;

export function useThroughput(range: ThroughputRange, eventTypes: string[] = []) {
  return useQuery({
    queryKey: queryKeys.stats.throughput({ range, eventTypes }),
    queryFn: ({ signal }) => {
      // The window slides: "to" is now at each fetch, so the key stays the range.
      const to = new Date();
      const params = new URLSearchParams({ from: new Date(to.getTime() - THROUGHPUT_RANGES[range]).toISOString(), to: to.toISOString() });
      for (const t of eventTypes) params.append('eventType', t);
      return fetchJson(`/api/stats/throughput?${params}`, throughputSchema, signal);
    },
    refetchInterval: THROUGHPUT_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

'use client';
// GET /api/queues: depth and consumers per queue (the server caches broker checks for 3 s).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { queuesSchema } from '@/lib/schemas/queues';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useQueues() {
  return useQuery({
    queryKey: queryKeys.queues.all,
    queryFn: ({ signal }) => fetchJson('/api/queues', queuesSchema, signal),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
}

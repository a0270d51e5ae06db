'use client';
// GET /api/bulk/:id: progress of a bulk job, polled every second until it stops moving.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { bulkJobSchema } from '@/lib/schemas/bulk';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

const FINAL = new Set(['done', 'cancelled', 'failed']);

export function useBulkJob(id: string | null) {
  return useQuery({
    queryKey: queryKeys.bulk.job(id ?? ''),
    queryFn: ({ signal }) => fetchJson(`/api/bulk/${encodeURIComponent(id!)}`, bulkJobSchema, signal),
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.status) ? false : 1000),
  });
}

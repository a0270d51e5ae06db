'use client';
// GET /api/bulk/:id: progress of a bulk job, polled every second until it is over; when it
// stops (over or paused), the lists, groups and audit it changed are refetched at once.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { BULK_FINAL_STATUSES, bulkJobSchema } from '@/lib/schemas/bulk';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';
import { invalidateAfterAction } from './use-republish';

export function useBulkJob(id: string | null) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.bulk.job(id ?? ''),
    queryFn: ({ signal }) => fetchJson(`/api/bulk/${encodeURIComponent(id!)}`, bulkJobSchema, signal),
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data && BULK_FINAL_STATUSES.includes(q.state.data.status) ? false : 1000),
  });
  // over, or paused (by an operator, or by itself when replays die again)
  const stopped = query.data ? BULK_FINAL_STATUSES.includes(query.data.status) || query.data.status === 'paused' : false;
  useEffect(() => {
    if (stopped) invalidateAfterAction(client);
  }, [stopped, client]);
  return query;
}

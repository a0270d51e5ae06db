'use client';
// GET /api/bulk/:id: progress of a bulk job, polled every second until it stops moving; when it
// does, the lists, groups and audit it changed are refetched at once (not at their next poll).
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { bulkJobSchema } from '@/lib/schemas/bulk';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';
import { invalidateAfterAction } from './use-republish';

const FINAL = new Set(['done', 'cancelled', 'failed']);

export function useBulkJob(id: string | null) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.bulk.job(id ?? ''),
    queryFn: ({ signal }) => fetchJson(`/api/bulk/${encodeURIComponent(id!)}`, bulkJobSchema, signal),
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.status) ? false : 1000),
  });
  const finished = query.data ? FINAL.has(query.data.status) : false;
  useEffect(() => {
    if (finished) invalidateAfterAction(client);
  }, [finished, client]);
  return query;
}

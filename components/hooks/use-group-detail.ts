'use client';
// GET /api/groups/:id: one failure group with its 7-day sparkline, notes and history.
import { useQuery } from '@tanstack/react-query';
import { groupDetailSchema } from '@/lib/schemas/groups';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useGroupDetail(id: string) {
  return useQuery({
    queryKey: queryKeys.groups.detail(id),
    queryFn: ({ signal }) => fetchJson(`/api/groups/${encodeURIComponent(id)}`, groupDetailSchema, signal),
    refetchInterval: 10_000,
  });
}

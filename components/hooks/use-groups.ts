'use client';
// GET /api/groups: failure groups with counts, lifecycle, the tabs' counts and the 24 h sparkline.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { groupListSchema } from '@/lib/schemas/groups';
import { toSearchParams } from '@/lib/schemas/dead-letters';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useGroups(params: { eventType?: string; queue?: string; reason?: string; status?: string; assignee?: string; sort?: string; limit?: number }) {
  return useQuery({
    queryKey: queryKeys.groups.list(params),
    queryFn: ({ signal }) => fetchJson(`/api/groups?${toSearchParams(params)}`, groupListSchema, signal),
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });
}

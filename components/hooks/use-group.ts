'use client';
// GET /api/groups?id=: one failure group, to name it where only its id is known (the list's
// group chip). Null when no group has that id.
import { useQuery } from '@tanstack/react-query';
import { groupListSchema } from '@/lib/schemas/groups';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useGroup(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.groups.list({ id }),
    queryFn: async ({ signal }) => (await fetchJson(`/api/groups?id=${encodeURIComponent(id!)}&limit=1`, groupListSchema, signal)).items[0] ?? null,
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

'use client';
// GET /api/users/assignable (viewer): who a failure group can be assigned to (active operators
// and admins, id and email).
import { useQuery } from '@tanstack/react-query';
import { assignableUserListSchema } from '@/lib/schemas/users';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

/** `enabled: false` where the list is not shown (a /groups row). */
export function useAssignableUsers({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.users.assignable(),
    queryFn: ({ signal }) => fetchJson('/api/users/assignable', assignableUserListSchema, signal),
    enabled,
  });
}

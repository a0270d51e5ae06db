'use client';
// GET /api/users (admin): the console's users.
import { useQuery } from '@tanstack/react-query';
import { userListSchema } from '@/lib/schemas/users';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useUsers() {
  return useQuery({
    queryKey: queryKeys.users.all,
    queryFn: ({ signal }) => fetchJson('/api/users', userListSchema, signal),
  });
}

'use client';
// GET /api/tokens (admin): API tokens with their last use.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiTokenListSchema } from '@/lib/schemas/tokens';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useTokens() {
  return useQuery({
    queryKey: queryKeys.tokens.all,
    queryFn: ({ signal }) => fetchJson('/api/tokens', apiTokenListSchema, signal),
    // "last used" moves while scripts run
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
}

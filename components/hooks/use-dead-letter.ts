'use client';
// GET /api/dead-letters/:id: one dead letter with body, headers, x-death, validation, history.
import { useQuery } from '@tanstack/react-query';
import { deadLetterDetailSchema } from '@/lib/schemas/dead-letters';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useDeadLetter(id: string) {
  return useQuery({
    queryKey: queryKeys.deadLetters.detail(id),
    queryFn: ({ signal }) => fetchJson(`/api/dead-letters/${encodeURIComponent(id)}`, deadLetterDetailSchema, signal),
    // status and history change when someone republishes; the body never does
    refetchInterval: 10_000,
    retry: (count, err) => (err as { status?: number }).status !== 404 && count < 1,
  });
}

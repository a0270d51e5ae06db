'use client';
// GET /api/processes: the live EventDesk processes and their duties (heartbeats every 5 s).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { processesSchema } from '@/lib/schemas/processes';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useProcesses() {
  return useQuery({
    queryKey: queryKeys.processes.all,
    queryFn: ({ signal }) => fetchJson('/api/processes', processesSchema, signal),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
}

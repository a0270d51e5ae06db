'use client';
// POST /api/dead-letters/:id/republish: retry as stored, or with an edited body / other target.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { republishResponseSchema, type RepublishRequest } from '@/lib/schemas/republish';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useRepublish(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: RepublishRequest) => sendJson('POST', `/api/dead-letters/${encodeURIComponent(id)}/republish`, republishResponseSchema, request),
    // a refused call may still mean the record changed under us (409): refresh either way
    onSettled: () => invalidateAfterAction(client),
  });
}

export function invalidateAfterAction(client: ReturnType<typeof useQueryClient>) {
  void client.invalidateQueries({ queryKey: queryKeys.deadLetters.all });
  void client.invalidateQueries({ queryKey: queryKeys.groups.all });
  void client.invalidateQueries({ queryKey: queryKeys.audit.all });
}

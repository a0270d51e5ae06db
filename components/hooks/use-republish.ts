'use client';
// POST /api/dead-letters/:id/republish: retry as stored, or with an edited body / other target.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { republishResponseSchema, type RepublishRequest } from '@/lib/schemas/republish';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

/**
 * The caller refreshes the lists (useRefreshAfterAction) when its dialog closes: refreshing at
 * once would re-render the row or header for the new status and unmount the dialog that shows
 * the outcome.
 */
export function useRepublish(id: string) {
  return useMutation({
    mutationFn: (request: RepublishRequest) => sendJson('POST', `/api/dead-letters/${encodeURIComponent(id)}/republish`, republishResponseSchema, request),
  });
}

/** Refreshes dead letters, groups and the audit after an action (a refused one too: a 409 means the record changed). */
export function useRefreshAfterAction(): () => void {
  const client = useQueryClient();
  return () => invalidateAfterAction(client);
}

export function invalidateAfterAction(client: ReturnType<typeof useQueryClient>) {
  void client.invalidateQueries({ queryKey: queryKeys.deadLetters.all });
  void client.invalidateQueries({ queryKey: queryKeys.groups.all });
  void client.invalidateQueries({ queryKey: queryKeys.audit.all });
}

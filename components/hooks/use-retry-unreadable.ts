'use client';
// POST /api/dead-letters/:id/retry [{reason}]: an unreadable dead letter through prepare and store again
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { retryUnreadableResponseSchema } from '@/lib/schemas/republish';
import { sendJson } from './send-json';
import { invalidateAfterAction } from './use-republish';

export function useRetryUnreadable(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason?: string) =>
      sendJson('POST', `/api/dead-letters/${encodeURIComponent(id)}/retry`, retryUnreadableResponseSchema, reason ? { reason } : {}),
    onSettled: () => invalidateAfterAction(client),
  });
}

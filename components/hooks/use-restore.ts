'use client';
// POST /api/dead-letters/:id/restore [{reason}]
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { statusChangeResponseSchema } from '@/lib/schemas/republish';
import { sendJson } from './send-json';
import { invalidateAfterAction } from './use-republish';

export function useRestore(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason?: string) =>
      sendJson('POST', `/api/dead-letters/${encodeURIComponent(id)}/restore`, statusChangeResponseSchema, reason ? { reason } : {}),
    onSettled: () => invalidateAfterAction(client),
  });
}

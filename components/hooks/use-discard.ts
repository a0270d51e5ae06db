'use client';
// POST /api/dead-letters/:id/discard {reason}
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { statusChangeResponseSchema } from '@/lib/schemas/republish';
import { sendJson } from './send-json';
import { invalidateAfterAction } from './use-republish';

export function useDiscard(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) => sendJson('POST', `/api/dead-letters/${encodeURIComponent(id)}/discard`, statusChangeResponseSchema, { reason }),
    onSettled: () => invalidateAfterAction(client),
  });
}

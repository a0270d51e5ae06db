'use client';
// DELETE /api/tokens/:id (admin): revoke a token.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiTokenSchema } from '@/lib/schemas/tokens';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson('DELETE', `/api/tokens/${encodeURIComponent(id)}`, apiTokenSchema),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokens.all }),
  });
}

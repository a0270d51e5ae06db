'use client';
// POST /api/tokens (admin): the new token is in this response only.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createdTokenSchema, type CreateTokenInput } from '@/lib/schemas/tokens';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTokenInput) => sendJson('POST', '/api/tokens', createdTokenSchema, input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokens.all }),
  });
}

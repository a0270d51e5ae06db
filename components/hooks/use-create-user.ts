'use client';
// POST /api/users (admin): create or invite a user; a generated password comes back once.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { userWriteResultSchema, type CreateUserInput } from '@/lib/schemas/users';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateUserInput) => sendJson('POST', '/api/users', userWriteResultSchema, input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users.all }),
  });
}

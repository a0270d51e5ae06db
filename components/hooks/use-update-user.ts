'use client';
// PATCH /api/users/:id (admin): change role, disable/enable, reset password.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { userWriteResultSchema, type UpdateUserInput } from '@/lib/schemas/users';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateUserInput & { id: string }) => sendJson('PATCH', `/api/users/${encodeURIComponent(id)}`, userWriteResultSchema, input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users.all }),
  });
}

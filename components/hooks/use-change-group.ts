'use client';
// PATCH /api/groups/:id {status?, assigneeId?, snoozedUntil?, reason?}: acknowledge, assign,
// snooze, resolve, reopen. Every groups query (list, tabs' counts, detail) and the audit refresh.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { groupDetailSchema, type ChangeGroupRequest } from '@/lib/schemas/groups';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useChangeGroup(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: ChangeGroupRequest) => sendJson('PATCH', `/api/groups/${encodeURIComponent(id)}`, groupDetailSchema, change),
    onSuccess: (group) => client.setQueryData(queryKeys.groups.detail(id), group),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.groups.all });
      void client.invalidateQueries({ queryKey: queryKeys.audit.all });
    },
  });
}

'use client';
// POST /api/groups/:id/notes {text}
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { groupNoteSchema } from '@/lib/schemas/groups';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useAddGroupNote(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => sendJson('POST', `/api/groups/${encodeURIComponent(id)}/notes`, groupNoteSchema, { text }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.groups.detail(id) });
      void client.invalidateQueries({ queryKey: queryKeys.audit.all });
    },
  });
}

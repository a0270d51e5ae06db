'use client';
// POST /api/bulk/:id/pause | resume | cancel
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { bulkJobSchema } from '@/lib/schemas/bulk';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';
import { invalidateAfterAction } from './use-republish';

export function useBulkControl(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (control: 'pause' | 'resume' | 'cancel') => sendJson('POST', `/api/bulk/${encodeURIComponent(id)}/${control}`, bulkJobSchema),
    onSuccess: (job) => {
      client.setQueryData(queryKeys.bulk.job(id), job);
      invalidateAfterAction(client);
    },
  });
}

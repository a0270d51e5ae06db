'use client';
// POST /api/bulk: a dry run (count + sample) or a job (202 {jobId}).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { bulkCreatedResponseSchema, bulkDryRunResponseSchema, type BulkRequestInput } from '@/lib/schemas/bulk';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

const answerSchema = z.union([bulkDryRunResponseSchema, bulkCreatedResponseSchema]);

export function useBulkDryRun() {
  return useMutation({
    mutationFn: (request: Omit<BulkRequestInput, 'dryRun'>) => sendJson('POST', '/api/bulk', bulkDryRunResponseSchema, { ...request, dryRun: true }),
  });
}

export function useCreateBulk() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (request: Omit<BulkRequestInput, 'dryRun'>) => {
      const r = await sendJson('POST', '/api/bulk', answerSchema, request);
      return bulkCreatedResponseSchema.parse(r);
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.bulk.all });
      void client.invalidateQueries({ queryKey: queryKeys.audit.all });
    },
  });
}

'use client';
// POST /api/bulk: a dry run (count + sample), a transform's preview (a dry run with the
// transform: counts by outcome and diffs), or a job (202 {jobId}).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  bulkCreatedResponseSchema,
  bulkDryRunResponseSchema,
  bulkTransformDryRunResponseSchema,
  type BulkRequestInput,
  type BulkTransform,
} from '@/lib/schemas/bulk';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

const answerSchema = z.union([bulkDryRunResponseSchema, bulkCreatedResponseSchema]);

export function useBulkDryRun() {
  return useMutation({
    mutationFn: (request: Omit<BulkRequestInput, 'dryRun'>) => sendJson('POST', '/api/bulk', bulkDryRunResponseSchema, { ...request, dryRun: true }),
  });
}

/** The transform applied to the whole selection on the server, nothing sent; `transform` is what the answer is for. */
export function useBulkTransformPreview() {
  return useMutation({
    mutationFn: (request: Omit<BulkRequestInput, 'dryRun' | 'transform'> & { transform: BulkTransform }) =>
      sendJson('POST', '/api/bulk', bulkTransformDryRunResponseSchema, { ...request, dryRun: true }),
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

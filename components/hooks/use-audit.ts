'use client';
// GET /api/audit?limit=&cursor=&actor=&action=
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { auditPageSchema, type AuditParams } from '@/lib/schemas/audit';
import { toSearchParams } from '@/lib/schemas/dead-letters';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useAudit(params: AuditParams) {
  return useQuery({
    queryKey: queryKeys.audit.list(params),
    queryFn: ({ signal }) => fetchJson(`/api/audit?${toSearchParams(params)}`, auditPageSchema, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

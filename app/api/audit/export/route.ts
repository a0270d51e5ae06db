// GET /api/audit/export?format=csv|ndjson&actor=&action=: every audit entry the filters select,
// streamed as a file (README, HTTP API); details masked for viewers as in GET /api/audit.
import { withApi } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { auditExportSource } from '@/lib/server/export/audit-export';
import { exportResponse, exportStream } from '@/lib/server/export/export-stream';
import { auditExportQuerySchema } from '@/lib/schemas/export';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  const { format, ...filter } = parseQuery(request, auditExportQuerySchema);
  return exportResponse(await exportStream(auditExportSource(filter), format, actor, request.signal), format, 'audit');
});

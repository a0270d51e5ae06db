// GET /api/dead-letters/export?format=csv|ndjson&<the list's filters>: every dead letter the
// filters select, streamed as a file (README, HTTP API); masked for viewers as the list is.
import { withApi } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { searchScopeFor } from '@/lib/server/auth/mask';
import { deadLetterExportSource } from '@/lib/server/export/dead-letter-export';
import { exportResponse, exportStream } from '@/lib/server/export/export-stream';
import { deadLetterExportQuerySchema } from '@/lib/schemas/export';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  const { format, ...filter } = parseQuery(request, deadLetterExportQuerySchema);
  return exportResponse(await exportStream(deadLetterExportSource(filter, searchScopeFor(actor)), format, actor, request.signal), format, 'dead-letters');
});

// GET /api/audit?limit=&cursor=&actor=&action=: the audit log, newest first.
import { json, withApi } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { auditQuerySchema } from '@/lib/schemas/audit';
import { authorize } from '@/lib/server/auth/authorize';
import { listAudit } from '@/lib/server/audit/list-audit';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  await authorize(request, 'viewer');
  return json(await listAudit(parseQuery(request, auditQuerySchema)));
});

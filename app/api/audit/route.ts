// GET /api/audit?limit=&cursor=&actor=&action=: the audit log, newest first.
import { json, withApi } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { auditQuerySchema } from '@/lib/schemas/audit';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import { listAudit } from '@/lib/server/audit/list-audit';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  // details carry edit diffs with the bodies' emails and payment ids: masked for viewers
  return json(await maskForActorAsync(actor, await listAudit(parseQuery(request, auditQuerySchema))));
});

// GET /api/groups/:id (viewer): the group, its 7-day sparkline, notes and history.
// PATCH /api/groups/:id (operator): status (acknowledge, snooze, resolve, reopen) and assignee.
import { withApi, json } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { changeGroup } from '@/lib/actions/change-group';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import { getGroup } from '@/lib/server/groups/get-group';
import { changeGroupSchema } from '@/lib/schemas/groups';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'viewer');
  return json(await maskForActorAsync(actor, await getGroup((await params).id))); // signatures and notes may name people
});

export const PATCH = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'operator');
  const input = await parseJsonBody(request, changeGroupSchema);
  return json(await changeGroup(actor, { ...input, id: (await params).id }));
});

// GET /api/users/assignable (viewer): the users a failure group can be assigned to (active
// operators and admins, by email, at most 500), id and email only: the group page's "Assign to…".
// Emails are masked for viewers, as everywhere else (they cannot assign anyway).
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { maskForActor } from '@/lib/server/auth/mask';
import { listAssignableUsers } from '@/lib/server/auth/users';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  return json(maskForActor(actor, { items: await listAssignableUsers() }));
});

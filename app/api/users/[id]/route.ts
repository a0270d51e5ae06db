// PATCH /api/users/:id (admin): change role, disable/enable (disabling ends the user's
// sessions), or reset the password (a new one is returned once).
import { withApi, json } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { updateUser } from '@/lib/actions/update-user';
import { updateUserSchema } from '@/lib/schemas/users';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const PATCH = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'admin');
  const input = await parseJsonBody(request, updateUserSchema);
  return json(await updateUser(actor, { ...input, id: (await params).id }));
});

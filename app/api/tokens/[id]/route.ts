// DELETE /api/tokens/:id (admin): revokes the token (kept in the list, marked revoked).
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { revokeApiToken } from '@/lib/actions/revoke-api-token';
import { noFieldsBody } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const DELETE = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'admin');
  await noFieldsBody(request);
  return json(await revokeApiToken(actor, { id: (await params).id }));
});

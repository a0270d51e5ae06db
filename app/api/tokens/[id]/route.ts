// DELETE /api/tokens/:id (admin): revokes the token (kept in the list, marked revoked).
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import { revokeToken } from '@/lib/server/auth/tokens';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const DELETE = withApi<Context>(async (request, { params }) => {
  await authorize(request, 'admin');
  return json(await revokeToken((await params).id));
});

// GET /api/tokens (admin): API tokens with their last use. POST (admin): create one; the token
// is in this response only.
import { withApi, json } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { createApiToken } from '@/lib/actions/create-api-token';
import { listTokens } from '@/lib/server/auth/tokens';
import { createTokenSchema } from '@/lib/schemas/tokens';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  await authorize(request, 'admin');
  return json({ items: await listTokens() });
});

export const POST = withApi(async (request) => {
  const actor = await authorize(request, 'admin');
  const input = await parseJsonBody(request, createTokenSchema);
  return json(await createApiToken(actor, input), { status: 201 });
});

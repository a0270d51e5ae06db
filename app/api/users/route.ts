// GET /api/users (admin): every console user. POST /api/users (admin): create / invite one.
import { withApi, json } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { createUser } from '@/lib/actions/create-user';
import { listUsers } from '@/lib/server/auth/users';
import { createUserSchema } from '@/lib/schemas/users';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  await authorize(request, 'admin');
  return json({ items: await listUsers() });
});

export const POST = withApi(async (request) => {
  const actor = await authorize(request, 'admin');
  const input = await parseJsonBody(request, createUserSchema);
  return json(await createUser(actor, input), { status: 201 });
});

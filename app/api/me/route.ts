// GET /api/me: who the caller is (user or token) and their role; the UI hides what it cannot do.
import { withApi, json } from '@/lib/api/handler';
import { authorize } from '@/lib/server/auth/authorize';
import type { Me } from '@/lib/schemas/users';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  const actor = await authorize(request, 'viewer');
  return json({ name: actor.name, role: actor.role, kind: actor.kind } satisfies Me);
});

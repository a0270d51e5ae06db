// POST /api/notifications/channels/:id/test (admin): queue a "test" notification to this channel.
import { withApi, json } from '@/lib/api/handler';
import { testNotificationChannel } from '@/lib/actions/test-notification-channel';
import { authorize } from '@/lib/server/auth/authorize';
import { noFieldsBody } from '@/lib/api/route-params';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const POST = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'admin');
  await noFieldsBody(request);
  return json(await testNotificationChannel(actor, { id: (await params).id }), { status: 202 });
});

// GET /api/notifications/channels (admin): the notification channels (never their secrets).
// POST (admin): create one; its signing secret is in this response only.
import { withApi, json } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { createNotificationChannel } from '@/lib/actions/create-notification-channel';
import { authorize } from '@/lib/server/auth/authorize';
import { listChannels } from '@/lib/server/notifications/channels';
import { createChannelSchema } from '@/lib/schemas/notifications';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  await authorize(request, 'admin');
  return json({ items: await listChannels() });
});

export const POST = withApi(async (request) => {
  const actor = await authorize(request, 'admin');
  const input = await parseJsonBody(request, createChannelSchema);
  return json(await createNotificationChannel(actor, input), { status: 201 });
});

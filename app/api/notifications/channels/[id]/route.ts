// PATCH /api/notifications/channels/:id (admin): change a channel. DELETE (admin): remove it and
// its deliveries.
import { withApi, json } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { deleteNotificationChannel } from '@/lib/actions/delete-notification-channel';
import { updateNotificationChannel } from '@/lib/actions/update-notification-channel';
import { authorize } from '@/lib/server/auth/authorize';
import { updateChannelSchema } from '@/lib/schemas/notifications';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const PATCH = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'admin');
  const input = await parseJsonBody(request, updateChannelSchema);
  return json(await updateNotificationChannel(actor, { ...input, id: (await params).id }));
});

export const DELETE = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'admin');
  return json(await deleteNotificationChannel(actor, { id: (await params).id }));
});

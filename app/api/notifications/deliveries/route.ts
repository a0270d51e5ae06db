// GET /api/notifications/deliveries?channelId= (admin): a channel's last 50 deliveries, newest first.
import { ApiError } from '@/lib/api/errors';
import { withApi, json } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/parse';
import { authorize } from '@/lib/server/auth/authorize';
import { listDeliveries } from '@/lib/server/notifications/channels';
import { deliveriesQuerySchema } from '@/lib/schemas/notifications';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async (request) => {
  await authorize(request, 'admin');
  const query = parseQuery(request, deliveriesQuerySchema);
  const items = await listDeliveries(query.channelId, query.limit);
  if (!items) throw new ApiError('not_found', 'Channel not found');
  return json({ items });
});

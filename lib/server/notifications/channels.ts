// Notification channels and their deliveries as the API shows them (never the secret).
import 'server-only';
import { prisma } from '@/lib/server/db';
import { UUID, type NotificationChannel, type NotificationDelivery, type NotificationEvent } from '@/lib/schemas/notifications';

type ChannelRow = Awaited<ReturnType<typeof prisma.notificationChannel.findUniqueOrThrow>>;
type DeliveryRow = Awaited<ReturnType<typeof prisma.notificationDelivery.findUniqueOrThrow>>;

export function toChannel(row: ChannelRow): NotificationChannel {
  return {
    id: row.id,
    kind: row.kind as NotificationChannel['kind'],
    name: row.name,
    url: row.url,
    events: row.events as NotificationEvent[],
    eventTypes: row.eventTypes,
    rate: { count: row.rateCount, minutes: row.rateMinutes },
    drainStoppedSeconds: row.drainStoppedSeconds,
    noConsumersSeconds: row.noConsumersSeconds,
    enabled: row.enabled,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toDelivery(row: DeliveryRow): NotificationDelivery {
  return {
    id: row.id,
    channelId: row.channelId,
    type: row.type,
    status: row.status as NotificationDelivery['status'],
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
  };
}

export async function listChannels(): Promise<NotificationChannel[]> {
  return (await prisma.notificationChannel.findMany({ orderBy: { createdAt: 'asc' } })).map(toChannel);
}

export async function findChannel(id: string): Promise<ChannelRow | null> {
  return UUID.test(id) ? prisma.notificationChannel.findUnique({ where: { id } }) : null;
}

/** A channel's last deliveries, newest first (Settings shows 50). */
export async function listDeliveries(channelId: string, limit = 50): Promise<NotificationDelivery[] | null> {
  if (!(await findChannel(channelId))) return null;
  const rows = await prisma.notificationDelivery.findMany({ where: { channelId }, orderBy: { createdAt: 'desc' }, take: limit });
  return rows.map(toDelivery);
}

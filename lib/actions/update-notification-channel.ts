// The update-notification-channel action (admin): name, URL, events, filters, thresholds,
// enabled. The secret stays. Audited with the fields changed (before and after).
import 'server-only';
import { notFound } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { NotificationChannel, UpdateChannelInput } from '@/lib/schemas/notifications';
import { findChannel, toChannel } from '@/lib/server/notifications/channels';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';
import { channelTarget } from './create-notification-channel';

export async function updateNotificationChannel(actor: Actor, input: UpdateChannelInput & { id: string }): Promise<NotificationChannel> {
  if (!(await findChannel(input.id))) throw notFound('Channel');
  const row = await prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "notification_channels" WHERE "id" = ${input.id}::uuid FOR UPDATE`;
    if (!locked.length) throw notFound('Channel');
    const before = toChannel(await tx.notificationChannel.findUniqueOrThrow({ where: { id: input.id } }));
    const updated = await tx.notificationChannel.update({
      where: { id: input.id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
        ...(input.eventTypes !== undefined ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
        ...(input.rate ? { rateCount: input.rate.count, rateMinutes: input.rate.minutes } : {}),
        ...(input.drainStoppedSeconds !== undefined ? { drainStoppedSeconds: input.drainStoppedSeconds } : {}),
        ...(input.noConsumersSeconds !== undefined ? { noConsumersSeconds: input.noConsumersSeconds } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        updatedAt: new Date(),
      },
    });
    const after = toChannel(updated);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of ['name', 'url', 'events', 'eventTypes', 'rate', 'drainStoppedSeconds', 'noConsumersSeconds', 'enabled'] as const) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = { from: before[key], to: after[key] };
    }
    if (Object.keys(changed).length)
      await recordAudit(prismaAuditClient(tx), {
        actor: actor.name,
        action: 'notification-channel-update',
        target: channelTarget(input.id),
        details: { name: after.name, changed },
      });
    return updated;
  });
  return toChannel(row);
}

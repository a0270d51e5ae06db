// The delete-notification-channel action (admin): the channel and its deliveries go (ON DELETE
// CASCADE); a delivery in flight only fails to record its outcome. Audited with what it was.
import 'server-only';
import { notFound } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { NotificationChannel } from '@/lib/schemas/notifications';
import { findChannel, toChannel } from '@/lib/server/notifications/channels';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';
import { channelTarget } from './create-notification-channel';

export async function deleteNotificationChannel(actor: Actor, input: { id: string }): Promise<NotificationChannel> {
  const existing = await findChannel(input.id);
  if (!existing) throw notFound('Channel');
  const item = toChannel(existing);
  await prisma.$transaction(async (tx) => {
    const gone = await tx.notificationChannel.deleteMany({ where: { id: input.id } });
    if (!gone.count) throw notFound('Channel');
    await recordAudit(prismaAuditClient(tx), {
      actor: actor.name,
      action: 'notification-channel-delete',
      target: channelTarget(input.id),
      details: { kind: item.kind, name: item.name, url: item.url, events: item.events },
    });
  });
  return item;
}

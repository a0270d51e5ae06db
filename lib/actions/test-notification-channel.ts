// The test-notification-channel action (admin): a "test" event aimed at this channel, written to
// the outbox; the sender delivers it within seconds (whatever events the channel subscribes to).
import 'server-only';
import { notFound } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { TestQueued } from '@/lib/schemas/notifications';
import { findChannel } from '@/lib/server/notifications/channels';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';
import { channelTarget } from './create-notification-channel';

export async function testNotificationChannel(actor: Actor, input: { id: string }): Promise<TestQueued> {
  const channel = await findChannel(input.id);
  if (!channel) throw notFound('Channel');
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.notificationOutbox.create({ data: { type: 'test', channelId: channel.id, payload: { requestedBy: actor.name } } });
    await recordAudit(prismaAuditClient(tx), {
      actor: actor.name,
      action: 'notification-channel-test',
      target: channelTarget(channel.id),
      details: { name: channel.name, outboxId: created.id },
    });
    return created;
  });
  return { queued: true, outboxId: row.id };
}

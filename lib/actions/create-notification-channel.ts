// The create-notification-channel action (admin): a webhook or Slack channel with a generated
// secret, returned in this answer only (the signing key of X-EventDesk-Signature). Audited
// without the secret.
import 'server-only';
import { randomBytes } from 'node:crypto';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { CreateChannelInput, CreatedChannel } from '@/lib/schemas/notifications';
import { toChannel } from '@/lib/server/notifications/channels';
import { prisma } from '@/lib/server/db';
import type { Actor } from './actor';

export const channelTarget = (id: string) => `notification-channel:${id}`;

export async function createNotificationChannel(actor: Actor, input: CreateChannelInput): Promise<CreatedChannel> {
  const secret = randomBytes(32).toString('hex');
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.notificationChannel.create({
      data: {
        kind: input.kind,
        name: input.name,
        url: input.url,
        secret,
        events: [...new Set(input.events)],
        eventTypes: [...new Set(input.eventTypes ?? [])],
        ...(input.rate ? { rateCount: input.rate.count, rateMinutes: input.rate.minutes } : {}),
        ...(input.drainStoppedSeconds ? { drainStoppedSeconds: input.drainStoppedSeconds } : {}),
        ...(input.noConsumersSeconds ? { noConsumersSeconds: input.noConsumersSeconds } : {}),
        createdBy: actor.name,
      },
    });
    const item = toChannel(created);
    await recordAudit(prismaAuditClient(tx), {
      actor: actor.name,
      action: 'notification-channel-create',
      target: channelTarget(created.id),
      details: { kind: item.kind, name: item.name, url: item.url, events: item.events, eventTypes: item.eventTypes, rate: item.rate },
    });
    return created;
  });
  return { item: toChannel(row), secret };
}

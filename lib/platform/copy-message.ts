// Re-publishes a delivered message (exact bytes, its properties and headers plus `extra`) into
// one queue of the service: a retry queue, or the service queue itself to be rejected into the
// DLQ. It goes through the default exchange with BCC = [queue] and the event's original routing
// key, so the routing key and x-death routing-keys keep saying which event type it was.
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { confirmPublish } from './confirm-publish';
import { HEADER, headerString } from './headers';

/** The routing key the event was first published with, wherever it is now. */
export function originalRoutingKey(msg: ConsumeMessage, eventType: string | undefined): string {
  const kept = headerString(msg.properties.headers, HEADER.originalRoutingKey);
  if (kept) return kept;
  // Through the default exchange the routing key is a queue name (a retry hop, a republish).
  if (msg.fields.exchange !== '') return msg.fields.routingKey;
  return eventType ?? msg.properties.type ?? msg.fields.routingKey;
}

export async function copyMessageTo(
  channel: ConfirmChannel,
  msg: ConsumeMessage,
  queue: string,
  routingKey: string,
  ownQueues: ReadonlySet<string>,
  extra: Record<string, unknown>,
): Promise<void> {
  const p = msg.properties;
  const headers: Record<string, unknown> = { ...p.headers, ...extra, [HEADER.originalRoutingKey]: routingKey };
  delete headers.CC;
  delete headers.BCC;
  const options: Options.Publish = {
    persistent: true,
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    messageId: p.messageId,
    correlationId: p.correlationId,
    type: p.type,
    appId: p.appId,
    timestamp: p.timestamp,
    priority: p.priority,
    headers,
    // left out: expiration (a per-message TTL must not expire the retry), userId (the broker
    // checks it against this connection's user)
  };
  // A routing key that names a queue of ours would deliver a second copy there.
  if (ownQueues.has(routingKey) || routingKey === '') {
    await confirmPublish(channel, '', queue, msg.content, options);
  } else {
    await confirmPublish(channel, '', routingKey, msg.content, { ...options, BCC: [queue] });
  }
}

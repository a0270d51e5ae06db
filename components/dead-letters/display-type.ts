// The event type a person reads for a dead letter. eventType comes from the body; when the body
// cannot be parsed (or carries no type) the routing key still says what the publisher meant,
// since the platform routes each event by its type.
import type { DeadLetter } from '@/lib/schemas/dead-letters';
import { visibleText } from '@/components/ui/visible-text';

export function displayType(d: Pick<DeadLetter, 'eventType' | 'routingKey'>): { label: string; fromRoutingKey: boolean } {
  if (d.eventType) return { label: visibleText(d.eventType), fromRoutingKey: false };
  if (d.routingKey) return { label: visibleText(d.routingKey), fromRoutingKey: true };
  return { label: '(unknown type)', fromRoutingKey: false };
}

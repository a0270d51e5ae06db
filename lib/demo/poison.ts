// Messages that break things the way production does: a producer bug that breaks the contract,
// and a non-JSON body (a proxy's error page forwarded as an event).
import type { Random } from './random';
import { generateEvent } from './generate-event';

/** An order.created with a negative amount and a lower-case currency: fails validation. */
export function contractViolation(r: Random): { routingKey: string; body: Buffer; eventId: string } {
  const event = generateEvent('order.created', r);
  const data = event.data as Record<string, unknown>;
  data.totalAmount = -Math.abs(Number(data.totalAmount));
  data.currency = String(data.currency).toLowerCase();
  return { routingKey: 'order.created', body: Buffer.from(JSON.stringify(event)), eventId: String(event.eventId) };
}

export function poisonBody(r: Random): { routingKey: string; body: Buffer } {
  const page = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.${r.int(0, 4)}</center></body></html>`;
  return { routingKey: 'review.created', body: Buffer.from(page) };
}

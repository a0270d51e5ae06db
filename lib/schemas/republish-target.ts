// Where a republish may go: the rules for a target's exchange, queue and routing key, pure (no
// broker, no database), shared by the request schema (lib/schemas/republish.ts), the republish action
// (which knows the DLQ, ledger and tap names of this install) and the bulk runner.
//
// Refused, each with a reason an operator can act on:
// - names over 255 bytes in UTF-8 (AMQP short strings count bytes, not characters);
// - `amq.*` exchanges and queues: the broker's own (amq.rabbitmq.trace is internal: a publish
//   closes the channel; amq.rabbitmq.reply-to delivers to no one outside an RPC call);
// - `eventdesk.*`: EventDesk's own queues and exchanges (ledger, tap, parking queues);
// - dead-letter exchanges (`<exchange>.dlx`) and DLQs (`*.dlq` and the configured DLQ_QUEUE):
//   a republish there only comes straight back as a new dead letter;
// - an empty queue name (the default exchange needs a queue to route to).

export const AMQP_NAME_MAX_BYTES = 255;

export interface TargetIssue {
  /** the request field it is about, e.g. `target.exchange` */
  field: string;
  message: string;
}

/** What this install calls its own (from the settings); absent in the request schema. */
export interface TargetContext {
  dlqQueues?: string[];
  /** EventDesk's own queues beyond `eventdesk.*` (a REPUBLISH_LEDGER_QUEUE set to another name) */
  ownQueues?: string[];
}

const encoder = new TextEncoder();

/** Length in UTF-8 bytes (what AMQP counts); the same as Buffer.byteLength, in the browser too. */
export function utf8ByteLength(s: string): number {
  return encoder.encode(s).length;
}

function tooLong(name: string, what: string, field: string): TargetIssue | null {
  // a UTF-16 unit is at least one UTF-8 byte: past 255 units it is too long, whatever it holds
  if (name.length > AMQP_NAME_MAX_BYTES)
    return { field, message: `The ${what} is over ${AMQP_NAME_MAX_BYTES} bytes in UTF-8; the broker allows ${AMQP_NAME_MAX_BYTES}` };
  const bytes = utf8ByteLength(name);
  if (bytes <= AMQP_NAME_MAX_BYTES) return null;
  return { field, message: `The ${what} is ${bytes} bytes in UTF-8; the broker allows ${AMQP_NAME_MAX_BYTES}` };
}

/** Why an exchange cannot be a target, or null. '' is the default exchange (allowed). */
export function exchangeIssue(exchange: string, field = 'target.exchange'): TargetIssue | null {
  if (exchange === '') return null;
  const long = tooLong(exchange, 'exchange name', field);
  if (long) return long;
  if (exchange.startsWith('amq.')) {
    return { field, message: `"${exchange}" is one of the broker's own exchanges (amq.*): republish to the platform's exchange or a queue` };
  }
  if (exchange.startsWith('eventdesk.')) return { field, message: `"${exchange}" is EventDesk's own exchange, not a consumer's` };
  if (exchange.endsWith('.dlx')) {
    return { field, message: `"${exchange}" is a dead-letter exchange: a message published there goes straight back to the DLQ` };
  }
  return null;
}

/** Why a queue (a default-exchange target, or an origin queue) cannot be a target, or null. */
export function queueIssue(queue: string, field: string, ctx: TargetContext = {}): TargetIssue | null {
  if (queue === '') return { field, message: 'A queue name is required (the default exchange routes by queue name)' };
  const long = tooLong(queue, 'queue name', field);
  if (long) return long;
  if (queue.startsWith('amq.')) {
    return { field, message: `"${queue}" is one of the broker's own queues (amq.*, e.g. RPC reply-to): nobody consumes a republish there` };
  }
  if (queue.startsWith('eventdesk.') || ctx.ownQueues?.includes(queue)) {
    return { field, message: `"${queue}" is EventDesk's own queue (ledger, tap or parking), not a consumer's` };
  }
  if (queue.endsWith('.dlq') || ctx.dlqQueues?.includes(queue)) {
    return { field, message: `"${queue}" is a dead-letter queue: a message republished there is only drained back as a new dead letter` };
  }
  return null;
}

/** Why a routing key cannot be used with a named exchange, or null (empty is allowed: fanout). */
export function routingKeyIssue(routingKey: string, field = 'target.routingKey'): TargetIssue | null {
  return tooLong(routingKey, 'routing key', field);
}

/** Every issue of a resolved target: exchange '' means the routing key is a queue name. */
export function targetIssues(target: { kind: 'origin' | 'exchange'; exchange: string; routingKey: string }, ctx: TargetContext = {}): TargetIssue[] {
  const issues: TargetIssue[] = [];
  const push = (i: TargetIssue | null) => i && issues.push(i);
  if (target.kind === 'origin') {
    push(queueIssue(target.routingKey, 'target', ctx));
    return issues;
  }
  push(exchangeIssue(target.exchange));
  if (target.exchange === '') push(queueIssue(target.routingKey, 'target.routingKey', ctx));
  else push(routingKeyIssue(target.routingKey));
  return issues;
}

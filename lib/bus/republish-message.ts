// Rebuilds the message to republish from what the drain stored (README, "Fix and republish",
// what a republished message looks like): the exact body bytes (or the edited body), the original
// properties, the original headers minus the broker's death bookkeeping, plus EventDesk's own.
// Pure: no I/O, so unit tests pin the shape down.
import type { Options } from 'amqplib';
import { decodeAmqpValue, type Json } from './amqp-values';
import { REPUBLISH_COUNT_HEADER } from './prepare-dead-letter';

export { REPUBLISH_COUNT_HEADER };
export const DEAD_LETTER_ID_HEADER = 'x-eventdesk-dead-letter-id';
/** Ties a message to its outbox row: returns are matched by it, and recovery reads it from the ledger. */
export const INTENT_ID_HEADER = 'x-eventdesk-intent-id';

export interface StoredMessage {
  body: Buffer;
  /** tagged encoding of lib/bus/amqp-values.ts */
  properties: Json;
  headers: Json;
}

export interface RepublishMessage {
  content: Buffer;
  options: Options.Publish;
}

/** Headers the broker wrote when the message died: a consumer must not see them on a fresh attempt. */
export function isDeathHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'x-death' || n.startsWith('x-first-death-') || n.startsWith('x-last-death-');
}

// Sender-selected distribution headers are consumed by the broker on routing; an old one
// would copy the republished message to queues of its first life. x-delivery-count is a quorum
// queue's redelivery count (here the quorum DLQ's): a fresh attempt starts without one.
const DROPPED_HEADERS = new Set(['cc', 'bcc', 'x-delivery-count']);

/** A stored table is plain unless its keys had to be encoded too ("$table", amqp-values.ts). */
const isPlainTable = (v: Json): v is { [key: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).every((k) => !k.startsWith('$'));

export function buildRepublishMessage(
  stored: StoredMessage,
  opts: { deadLetterId: string; republishNumber: number; intentId: string; editedBody?: Buffer | null },
): RepublishMessage {
  const properties = (decodeAmqpValue(stored.properties) ?? {}) as Record<string, unknown>;
  // A plain table's values are decoded only when kept: x-death, the largest header and always
  // dropped, then costs nothing per republish.
  const plain = isPlainTable(stored.headers);
  const source = (plain ? stored.headers : (decodeAmqpValue(stored.headers) ?? {})) as Record<string, unknown>;
  const headers: Record<string, unknown> = {};
  for (const name of Object.keys(source)) {
    if (isDeathHeader(name) || DROPPED_HEADERS.has(name.toLowerCase()) || name.startsWith('x-eventdesk-')) continue;
    headers[name] = plain ? decodeAmqpValue(source[name] as Json) : source[name];
  }
  headers[REPUBLISH_COUNT_HEADER] = opts.republishNumber;
  headers[DEAD_LETTER_ID_HEADER] = opts.deadLetterId;
  headers[INTENT_ID_HEADER] = opts.intentId;

  const options: Options.Publish = { headers };
  const copy = <K extends keyof Options.Publish>(key: K, from: string = key) => {
    const v = properties[from];
    if (v !== undefined && v !== null) (options as Record<string, unknown>)[key] = v;
  };
  copy('contentType');
  copy('contentEncoding');
  copy('deliveryMode');
  copy('priority');
  copy('correlationId');
  copy('replyTo');
  copy('messageId');
  copy('timestamp');
  copy('type');
  copy('appId');
  // Left out on purpose: `expiration` (RabbitMQ already moved it to x-death when the message
  // died; a stale one would expire the retry) and `userId` (the broker refuses a publish whose
  // user-id is not the publishing connection's user).
  if (typeof options.timestamp === 'object' && options.timestamp !== null) {
    options.timestamp = Number((options.timestamp as { value?: unknown }).value);
  }
  options.mandatory = true;
  return { content: opts.editedBody ?? stored.body, options };
}

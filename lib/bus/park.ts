// Moving aside a message the drain cannot read or store, so the DLQ goes on with the next one.
// Parking is two writes before the ack: the message is published (with publisher confirms) to a
// durable queue of EventDesk's own, eventdesk.parked.<DLQ>, with its original body, properties and
// headers and an x-eventdesk-park-reason header; and it is recorded in PostgreSQL with status
// "unreadable" by a minimal insert (exact bytes, routing key, queue, reason, received time) that
// avoids the columns a refused message failed on. The record insert is idempotent (keyed by the
// fingerprint), so a park retried after an unconfirmed publish records nothing twice.
import { createHash } from 'node:crypto';
import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type pg from 'pg';
import type { Logger } from 'pino';
import { asciiText, type PreparedDeath } from './prepare-dead-letter';
import { isTransientStoreError, storeErrorText } from './store-errors';
import { DEFAULT_DLQ } from '@/lib/env';
import { ReconnectingConnection } from './connection';
import { withTimeout } from './within';

export const PARK_REASON_HEADER = 'x-eventdesk-park-reason';
const PREFIX = 'eventdesk.parked.';
const CONFIRM_TIMEOUT_MS = 10_000;
/** header frames must fit the negotiated frame size (128 KiB): a bigger fallback is left out */
const MAX_HEADERS_JSON = 64 * 1024;

/** The parking queue of a DLQ; names past AMQP's 255 bytes end in a hash of the DLQ's name. */
export function parkQueueName(dlq: string): string {
  const name = PREFIX + dlq;
  if (Buffer.byteLength(name) <= 255) return name;
  return `${PREFIX}${createHash('sha256').update(dlq).digest('hex').slice(0, 32)}`;
}

/** The original properties a publish may carry; user id and expiration move to headers. */
function publishOptions(msg: ConsumeMessage, headers: Record<string, unknown>, bare = false): Options.Publish {
  const p = msg.properties ?? ({} as ConsumeMessage['properties']);
  const extra: Record<string, unknown> = {};
  // the broker refuses a user id other than the connection's own (and closes the channel);
  // an expiration would let the parked copy expire
  if (p.userId !== undefined) extra['x-eventdesk-original-user-id'] = String(p.userId);
  if (p.expiration !== undefined) extra['x-eventdesk-original-expiration'] = String(p.expiration);
  // bare: no properties of the original (one amqplib cannot encode again); they are in a header
  if (bare) return { persistent: true, headers: { ...headers, ...extra } };
  return {
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    correlationId: p.correlationId,
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    appId: p.appId,
    priority: p.priority,
    replyTo: p.replyTo,
    persistent: true,
    headers: { ...headers, ...extra },
  };
}

export class ParkingLot {
  readonly queue: string;
  private channel: ConfirmChannel | null = null;
  private connection: ChannelModel | null = null;
  private opening: Promise<ConfirmChannel> | null = null;

  /** the parking's own connection, opened at the first park */
  private own: ReconnectingConnection | null = null;

  /**
   * Parks publish on a connection of their own, never on the drain's consuming one: under a
   * memory or disk alarm RabbitMQ blocks a connection that publishes, and stops reading it, so
   * one park on the drain's connection froze its acks (and its consumer) until the alarm
   * cleared, while the DLQ the drain should be emptying is what raised it. The connection, the
   * parking channel (a confirm channel) and the queue (durable) are opened at the first park: a
   * DLQ that never parks anything gets none of them.
   */
  constructor(
    private readonly dlq: string,
    private readonly amqpUrl: string,
    private readonly log: Logger,
    queue?: string,
  ) {
    this.queue = queue ?? parkQueueName(dlq);
  }

  /** Closes the parking connection (the drain's stop). */
  async close(): Promise<void> {
    const own = this.own;
    this.own = null;
    this.connection = null;
    this.channel = null;
    await own?.close();
  }

  private async current(): Promise<ChannelModel> {
    this.own ??= new ReconnectingConnection({ url: this.amqpUrl, name: `eventdesk-park:${this.dlq}`.slice(0, 255), logger: this.log }).start();
    const connection = await this.own.waitConnected(CONFIRM_TIMEOUT_MS);
    if (connection !== this.connection) {
      // reconnected: the channel of the last connection went with it
      this.connection = connection;
      this.channel = null;
      this.opening = null;
    }
    return connection;
  }

  private async open(): Promise<ConfirmChannel> {
    const connection = await this.current();
    if (this.channel) return this.channel;
    if (this.opening) return this.opening;
    const opening = (async () => {
      const ch = await connection.createConfirmChannel();
      ch.on('error', (err: Error) => this.log.warn({ err: err.message }, 'parking channel error'));
      ch.on('close', () => {
        if (this.channel === ch) this.channel = null;
      });
      // kept only while its connection is still the current one
      if (this.connection === connection) this.channel = ch;
      return ch;
    })();
    this.opening = opening;
    const clear = () => {
      if (this.opening === opening) this.opening = null;
    };
    opening.then(clear, clear);
    return opening;
  }

  /**
   * Records the message as unreadable, then publishes it to the parking queue and waits for the
   * broker's confirm. Throws when the publish is not confirmed or the database is unavailable:
   * the caller must not ack then, and tries again later.
   */
  async park(pool: pg.Pool, msg: ConsumeMessage, death: PreparedDeath, reason: string, receivedAt = new Date()): Promise<{ recordId: string | null }> {
    const why = asciiText(reason, 1000);
    const recordId = await recordUnreadable(pool, death, why, this.queue, receivedAt, this.log, this.dlq);
    await this.publish(msg, death, why);
    return { recordId };
  }

  private async publish(msg: ConsumeMessage, death: PreparedDeath, reason: string): Promise<void> {
    const ch = await withTimeout(this.open(), CONFIRM_TIMEOUT_MS, 'opening the parking channel');
    // Declared again on every park (parks are rare): a publish to a queue someone deleted would
    // be confirmed by the broker and dropped, and the original then acked.
    await withTimeout(ch.assertQueue(this.queue, { durable: true }), CONFIRM_TIMEOUT_MS, 'declaring the parking queue');
    const ours = { [PARK_REASON_HEADER]: reason, 'x-eventdesk-parked-from': this.dlq, 'x-eventdesk-parked-at': new Date().toISOString() };
    const original = (msg.properties?.headers ?? {}) as Record<string, unknown>;
    let confirmed: Promise<void>;
    try {
      confirmed = this.send(ch, msg, { ...original, ...ours });
    } catch (err) {
      // headers amqplib cannot encode again: their JSON (the drain's tagged form) instead
      this.log.warn({ err: (err as Error).message }, 'cannot republish the original headers to the parking queue; sending them as JSON');
      const headersJson = death.headers.length <= MAX_HEADERS_JSON ? death.headers : null;
      const fallback: Record<string, unknown> = {
        ...ours,
        'x-eventdesk-original-headers': headersJson ?? `(${death.headers.length} characters of headers: see the unreadable record)`,
      };
      try {
        confirmed = this.send(ch, msg, fallback);
      } catch (again) {
        // a property amqplib cannot encode again (one over 255 bytes once its invalid UTF-8
        // was replaced): the body with none of them, the properties' JSON in a header, so that
        // no message's properties can keep it, and the batch behind it, from being parked
        this.log.warn({ err: (again as Error).message }, 'cannot republish the original properties to the parking queue; sending them as JSON');
        const propertiesJson = death.properties.length <= MAX_HEADERS_JSON ? death.properties : null;
        fallback['x-eventdesk-original-properties'] = propertiesJson ?? `(${death.properties.length} characters of properties: see the unreadable record)`;
        confirmed = this.send(ch, msg, fallback, true);
      }
    }
    await withTimeout(confirmed, CONFIRM_TIMEOUT_MS, 'parking publish confirm');
  }

  private send(ch: ConfirmChannel, msg: ConsumeMessage, headers: Record<string, unknown>, bare = false): Promise<void> {
    let settle!: (err: unknown) => void;
    const p = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err instanceof Error ? err : new Error(`parking publish refused by the broker`)) : resolve());
    });
    // throws synchronously when the headers cannot be encoded; the callback is the confirm
    ch.publish('', this.queue, Buffer.isBuffer(msg.content) ? msg.content : Buffer.alloc(0), publishOptions(msg, headers, bare), (err: unknown) => settle(err));
    return p;
  }
}

/**
 * The unreadable record: a dead letter with status "unreadable", its exact body in
 * dead_letter_messages and a "parked" history line, in one statement. `parkQueue` null: set aside
 * by the derivation (the message is kept in the database only; no copy in a parking queue). Returns its id (null when
 * it could not be recorded at all, e.g. the database refuses even this). A transient database
 * failure throws: the caller retries the park later.
 */
export async function recordUnreadable(
  pool: pg.Pool,
  death: PreparedDeath,
  reason: string,
  parkQueue: string | null,
  receivedAt: Date,
  log: Logger,
  /** the DLQ the message was drained from */
  dlq: string = DEFAULT_DLQ,
): Promise<string | null> {
  const attempts: [string, string][] = [
    [death.properties, death.headers],
    // the headers or properties themselves may be what the database refused
    ['{}', JSON.stringify({ 'x-eventdesk-unstorable': `headers could not be stored: ${reason}` })],
  ];
  let lastError: unknown;
  for (const [properties, headers] of attempts) {
    try {
      return await insertUnreadable(pool, death, reason, parkQueue, receivedAt, properties, headers, dlq);
    } catch (err) {
      if (isTransientStoreError(err)) throw err;
      lastError = err;
    }
  }
  log.error(
    { err: storeErrorText(lastError), fingerprint: death.fingerprint },
    `cannot record an unreadable message; it is in ${parkQueue === null ? 'the inbox' : 'the parking queue'} only`,
  );
  return null;
}

async function insertUnreadable(
  pool: pg.Pool,
  death: PreparedDeath,
  reason: string,
  parkQueue: string | null,
  receivedAt: Date,
  properties: string,
  headers: string,
  dlq: string,
): Promise<string | null> {
  const fingerprint = death.fingerprint.startsWith('unreadable:') ? death.fingerprint : `unreadable:${death.fingerprint}`;
  const { rows } = await pool.query<{ id: string }>(
    `WITH d AS (
       INSERT INTO dead_letters (event_key, event_key_source, queue, routing_key, status, attempts, first_failed_at,
         last_failed_at, received_at, validation_status, group_id, body_size, body_sha256, unreadable_reason, latest_message_id,
         event_type, reason, error_message, dlq)
       VALUES ($1, 'body-sha256', $2, $3, 'unreadable', 1, $4, $4, $4, 'unparseable', $5, $6, $7, $8,
               nextval('dead_letter_messages_id_seq'::regclass), $14, $15, $16, $17)
       ON CONFLICT (event_key, queue) DO NOTHING
       RETURNING id, latest_message_id
     ), m AS (
       INSERT INTO dead_letter_messages (id, dead_letter_id, fingerprint, body, properties, headers, deaths, received_at)
       SELECT latest_message_id, id, $9, $10, $11::json, $12::json, '[]', $4 FROM d
       ON CONFLICT (fingerprint) DO NOTHING
     ), h AS (
       INSERT INTO dead_letter_history (dead_letter_id, action, actor, reason, details)
       SELECT id, 'parked', 'drain', $8, $13::jsonb FROM d
     )
     SELECT id FROM d
     UNION ALL
     SELECT id FROM dead_letters WHERE event_key = $1 AND queue = $2`,
    [
      fingerprint,
      asciiText(death.queue, 255),
      death.routingKey === null ? null : asciiText(death.routingKey, 255),
      receivedAt,
      death.groupId,
      death.bodySize,
      death.bodySha256,
      reason,
      fingerprint,
      death.body,
      properties,
      headers,
      JSON.stringify(parkQueue === null ? { setAsideBy: 'derivation', reason } : { parkedTo: asciiText(parkQueue, 255), reason }),
      // what could be read, so the list says what it is and why it was parked
      death.eventType === null ? null : asciiText(death.eventType, 255),
      death.reason === null ? null : asciiText(death.reason, 64),
      asciiText(`Unreadable, ${parkQueue === null ? 'set aside' : 'parked'}: ${reason}`, 1000),
      dlq,
    ],
  );
  return rows[0]?.id ?? null;
}

/**
 * The unreadable record of an inbox row whose reading killed the process (lib/bus/derivation-attempts.ts),
 * written from the row inside PostgreSQL: its body, properties and headers are copied there and
 * hashed there (sha256), never fetched into Node. `death` gives what was told without the body
 * (queue, routing key, group). Returns its id; null when the database refuses even this (logged).
 */
export async function recordUnreadableFromInbox(
  pool: pg.Pool,
  key: { tx: string; id: string },
  death: Pick<PreparedDeath, 'queue' | 'routingKey' | 'groupId'>,
  reason: string,
  log: Logger,
): Promise<string | null> {
  const queue = asciiText(death.queue, 255);
  try {
    const { rows } = await pool.query<{ id: string }>(
      `WITH x AS (
         SELECT fingerprint, dlq, received_at, body, properties, headers FROM dead_letter_inbox WHERE tx = $1::xid8 AND id = $2::bigint
       ), d AS (
         INSERT INTO dead_letters (event_key, event_key_source, queue, routing_key, status, attempts, first_failed_at,
           last_failed_at, received_at, validation_status, group_id, body_size, body_sha256, unreadable_reason, latest_message_id,
           error_message, dlq)
         SELECT 'unreadable:' || x.fingerprint, 'body-sha256', $3, $4, 'unreadable', 1, x.received_at, x.received_at, x.received_at,
                'unparseable', $5, octet_length(x.body), encode(sha256(x.body), 'hex'), $6,
                nextval('dead_letter_messages_id_seq'::regclass), $7, x.dlq
           FROM x
         ON CONFLICT (event_key, queue) DO NOTHING
         RETURNING id, latest_message_id
       ), m AS (
         INSERT INTO dead_letter_messages (id, dead_letter_id, fingerprint, body, properties, headers, deaths, received_at)
         SELECT d.latest_message_id, d.id, 'unreadable:' || x.fingerprint, x.body, x.properties, x.headers, '[]', x.received_at FROM d, x
         ON CONFLICT (fingerprint) DO NOTHING
       ), h AS (
         INSERT INTO dead_letter_history (dead_letter_id, action, actor, reason, details)
         SELECT id, 'parked', 'drain', $6, $8::jsonb FROM d
       )
       SELECT id FROM d
       UNION ALL
       SELECT id FROM dead_letters WHERE event_key = 'unreadable:' || (SELECT fingerprint FROM x) AND queue = $3`,
      [
        key.tx,
        key.id,
        queue,
        death.routingKey === null ? null : asciiText(death.routingKey, 255),
        death.groupId,
        reason,
        asciiText(`Unreadable, set aside: ${reason}`, 1000),
        JSON.stringify({ setAsideBy: 'derivation', reason, unread: true }),
      ],
    );
    return rows[0]?.id ?? null;
  } catch (err) {
    if (isTransientStoreError(err)) throw err;
    log.error({ err: storeErrorText(err), tx: key.tx, id: key.id }, 'cannot record an unreadable message; it is in the inbox only');
    return null;
  }
}

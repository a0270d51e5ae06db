// An inbox row's "prepared" column: the reading of its message the derivation builds the record
// from. The drain writes a raw row (issue 20: store first, derive after), marked raw: only the two
// delivery fields the stored message does not keep (redelivered, routing key) and the body's
// sha256 it hashed for the fingerprint; the derivation reads the message from the row's bytes,
// properties and headers (lib/bus/read-inbox.ts) and never writes that reading back. A row written
// with its reading already done (an operator's retry of an unreadable message, tests) holds the
// whole reading. Body, properties, headers and fingerprint have columns of their own.
import type { ConsumeMessage } from 'amqplib';
import { decodeAmqpValue, type Json } from './amqp-values';
import { errorText, type PreparedDeath, type RawDeath } from './prepare-dead-letter';

export type InboxPrepared = Omit<
  PreparedDeath,
  'body' | 'properties' | 'headers' | 'fingerprint' | 'failedAt' | 'searchText' | 'unreadable' | 'done' | 'copyRedelivered'
>;

/** What the inbox takes: a raw delivery (the drain) or one read already. */
export type InboxDeath = RawDeath | PreparedDeath;

/** A raw row's "prepared" starts with this (JSON.stringify keeps the key order of rawPrepared). */
export const RAW_PREPARED_START = '{"raw":';

/** The delivery fields of a raw row: all its "prepared" holds. */
export interface RawPrepared {
  raw: true;
  redelivered: boolean;
  routingKey: string | null;
  /** sha256 of the body, from the drain's fingerprint: not hashed again */
  bodySha256: string;
}

const isRead = (d: InboxDeath): d is PreparedDeath => 'eventKey' in d;

/**
 * Whether a delivery is stored as a redelivery: the broker said so, or its channel died and its
 * redelivered copy came in before it was written (the drain's copyRedelivered). Such a delivery
 * is never taken for an identical new death of a stored message, by the drain or the derivation.
 */
export const storedAsRedelivery = (d: InboxDeath): boolean => d.redelivered || d.copyRedelivered === true;

export function toInboxPrepared(d: PreparedDeath): string {
  const { body: _b, properties: _p, headers: _h, fingerprint: _f, failedAt: _a, searchText: _s, unreadable: _u, done: _d, copyRedelivered: _c, ...rest } = d;
  return JSON.stringify(rest satisfies InboxPrepared);
}

/** The values of an inbox row's "prepared", "failed_at" and "search_text" columns (null, null for a raw row). */
export function inboxValues(d: InboxDeath): [prepared: string, failedAt: Date | null, searchText: string | null] {
  if (isRead(d)) return [toInboxPrepared(d), d.failedAt, d.searchText];
  const raw: RawPrepared = { raw: true, redelivered: storedAsRedelivery(d), routingKey: d.routingKey, bodySha256: d.bodySha256 };
  return [JSON.stringify(raw), null, null];
}

const asTable = (v: unknown, asRead: boolean): Record<string, unknown> => {
  const decoded = decodeAmqpValue((v ?? {}) as Json, asRead);
  return decoded && typeof decoded === 'object' && !Array.isArray(decoded) ? (decoded as Record<string, unknown>) : {};
};

/**
 * A stored message as it was delivered (values decoded from the stored JSON, lib/bus/amqp-values.ts):
 * what prepareDeadLetter reads, for the derivation and an operator's retry of an unreadable one.
 * `asRead`: the values exactly as the drain had them in hand (the derivation's reading must be
 * the one the drain would have made). Never throws: stored values no decoder reads (tagged JSON
 * the drain's encoder never writes) give `undecodable`, the reason, with the message bare (its
 * body and delivery fields, no properties nor headers).
 */
export function storedMessage(
  body: Buffer,
  properties: unknown,
  headers: unknown,
  fields: { redelivered: boolean; routingKey: string | null },
  asRead = false,
): { message: ConsumeMessage; undecodable: string | null } {
  const message = (tables: ConsumeMessage['properties']) => ({
    content: body,
    fields: { deliveryTag: 0, redelivered: fields.redelivered, exchange: '', routingKey: fields.routingKey ?? '', consumerTag: '' },
    properties: tables,
  });
  try {
    return { message: message({ ...asTable(properties, asRead), headers: asTable(headers, asRead) } as ConsumeMessage['properties']), undecodable: null };
  } catch (err) {
    return {
      message: message({ headers: {} } as ConsumeMessage['properties']),
      undecodable: `cannot decode the stored properties or headers: ${errorText(err)}`,
    };
  }
}

const noBody = Buffer.alloc(0);

/** A stored inbox row as a death (no body nor text: the caller adds what it needs). */
export function fromInboxRow(row: { tx: string; id: string; fingerprint: string; failed_at: Date; prepared: InboxPrepared }): PreparedDeath {
  const p = row.prepared;
  return {
    ...p,
    failedAt: new Date(row.failed_at),
    fingerprint: row.fingerprint,
    body: noBody,
    searchText: '',
    properties: '',
    headers: '',
    unreadable: null,
  };
}

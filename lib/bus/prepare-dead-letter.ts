// Reads one DLQ delivery. rawDeadLetter: what the drain stores (bytes, canonical properties and
// headers, fingerprint). prepareDeadLetter: the whole reading a record is derived from (contract,
// ids, x-death, error headers, group, search text), done by the derivation from the stored row
// (lib/bus/read-inbox.ts) and by an operator's retry of an unreadable message. Pure: no I/O, never
// throws for any body or header content: a validator bug degrades to a violation, and anything
// else that cannot be read (a header value no code path expected) gives a bare death marked
// `unreadable`, which the drain parks (lib/bus/park.ts) and the derivation sets aside.
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { ConsumeMessage } from 'amqplib';
import { validateBody, type ValidationResult } from '@/lib/events/validate';
import { groupId, groupKey, type GroupKey } from '@/lib/groups/signature';
import { cleanText, encodeTable, headerText, MAX_TEXT } from './amqp-values';
import { deathTime, parseDeaths, readErrorDetails, summariseDeath, type Death } from './x-death';

export const REPUBLISH_COUNT_HEADER = 'x-eventdesk-republish-count';
/**
 * A quorum DLQ stamps each delivery with its own redelivery count (0, 1, 2...), so the same dead
 * letter redelivered carries other headers: the fingerprint leaves this header out. (RabbitMQ
 * 3.10 drops the consumer queue's count when it dead-letters; what arrives is the DLQ's.)
 */
export const DELIVERY_COUNT_HEADER = 'x-delivery-count';
const SEARCH_BODY_BYTES = 8 * 1024;

export interface PreparedDeath {
  /** sha256 over body, properties and headers: a redelivery has the same one */
  fingerprint: string;
  redelivered: boolean;
  eventKey: string;
  eventKeySource: 'event-id' | 'message-id' | 'body-sha256';
  eventId: string | null;
  eventType: string | null;
  version: string | null;
  routingKey: string | null;
  queue: string;
  reason: string | null;
  exchange: string | null;
  failedAt: Date;
  errorMessage: string | null;
  validationStatus: string;
  violations: string;
  correlationId: string | null;
  group: GroupKey;
  groupId: string;
  contentType: string | null;
  bodySize: number;
  bodySha256: string;
  /**
   * What full-text search indexes. null when the body is that text itself (valid UTF-8 of at most
   * 8 KB without control characters, the usual JSON event): then it is the body followed by the
   * error message (searchTextOf), and the drain does not write the same bytes twice.
   */
  searchText: string | null;
  republishCount: number;
  body: Buffer;
  properties: string;
  headers: string;
  deaths: Death[];
  deathCount: number;
  /** set when the message could not be read: the drain parks it with this reason */
  unreadable: string | null;
  /** set by the drain once this delivery is stored or parked, so a retried batch skips it */
  done?: boolean;
  /**
   * set by the drain when this delivery's channel died before it was stored and the broker has
   * redelivered it meanwhile: a stored row with its fingerprint may be that copy, never taken for
   * an identical new death (lib/bus/write-raw.ts)
   */
  copyRedelivered?: boolean;
}

/**
 * Bodies over this many bytes are not read whole: their envelope is read from their beginning and
 * their contract is not checked (validateBody's limit; reported as a violation). A 100 MB body held
 * the event loop ~1 s in the derivation's reading (UTF-8, JSON.parse, the contract), and RabbitMQ
 * lets bodies reach 128 MB. The largest body the console takes in an edit (MAX_JSON_BODY_BYTES).
 */
export const MAX_READ_BODY_BYTES = 8 * 1024 * 1024;

/** `size`: the body's, when `body` is only its beginning (an inbox row over MAX_READ_BODY_BYTES: lib/bus/read-inbox.ts). */
function safeValidate(body: Buffer, contentType: string | undefined, size: number): ValidationResult {
  try {
    return validateBody(body, contentType, { maxBytes: MAX_READ_BODY_BYTES, size });
  } catch (err) {
    return { status: 'invalid', violations: [{ path: '$', message: `validator failed: ${(err as Error).message}` }] };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A control character search text has none of (tab, newline and carriage return stay). */
const CONTROL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const CONTROL_CHARS = new RegExp(CONTROL_CHAR.source, 'g');

/** Whether the body as UTF-8 text is already its own search text (see PreparedDeath.searchText). */
function bodyIsSearchText(body: Buffer): boolean {
  if (body.length > SEARCH_BODY_BYTES || !isUtf8(body)) return false;
  // a byte below 0x20 is never part of a multi-byte UTF-8 character: latin1 shows the same ones
  return !CONTROL_CHAR.test(body.toString('latin1'));
}

/** The text full-text search indexes for a death (its body as text, then its error message). */
export function searchTextOf(d: Pick<PreparedDeath, 'searchText' | 'body' | 'errorMessage'>): string {
  return d.searchText ?? `${d.body.toString('utf8')} ${d.errorMessage ?? ''}`.trim();
}

/** PreparedDeath.searchText: null when the body is its own search text, else the text to index. */
function ownSearchText(body: Buffer, errorMessage: string | null): string | null {
  return bodyIsSearchText(body) ? null : (cleanText(`${searchableBody(body)} ${errorMessage ?? ''}`.trim(), SEARCH_BODY_BYTES + MAX_TEXT) ?? '');
}

/** How many bytes of a body its search text depends on at most: a body cut to this many gives the same text (searchTextOfBody). */
export const SEARCH_TEXT_BODY_BYTES = SEARCH_BODY_BYTES + 1;

/**
 * The search text of a stored message, as the derivation builds it: from its body (or the first
 * SEARCH_TEXT_BODY_BYTES of it) and its error message; for the search indexer, which rebuilds
 * documents from stored messages.
 */
export function searchTextOfBody(body: Buffer | null, errorMessage: string | null): string {
  if (!body) return errorMessage ?? '';
  return searchTextOf({ searchText: ownSearchText(body, errorMessage), body, errorMessage });
}

/**
 * The body's part of its search text, from the body or its first SEARCH_TEXT_BODY_BYTES: its
 * first 8 KB as text ('' unless UTF-8), and whether that is only the start of it (for viewers'
 * search text, which masks the body apart from the error message: lib/mask/viewer-search.ts).
 */
export function searchableBodyText(body: Buffer | null): { text: string; cut: boolean } {
  return body ? { text: searchableBody(body), cut: body.length > SEARCH_BODY_BYTES } : { text: '', cut: false };
}

/** The start of the body as text when it is UTF-8, for full-text search. */
function searchableBody(body: Buffer): string {
  let end = Math.min(body.length, SEARCH_BODY_BYTES);
  // do not cut a multi-byte character in half
  if (end < body.length) while (end > 0 && (body[end] & 0xc0) === 0x80) end--;
  try {
    return utf8.decode(body.subarray(0, end)).replace(CONTROL_CHARS, ' ');
  } catch {
    return '';
  }
}

function republishCount(value: unknown): number {
  const n = Number(headerText(value));
  return Number.isInteger(n) && n >= 0 && n < 2 ** 31 ? n : 0;
}

function cleanViolations(v: ValidationResult['violations']): string {
  return JSON.stringify((v ?? []).slice(0, 200).map((x) => ({ path: cleanText(String(x.path), 500), message: cleanText(String(x.message), 1000) })));
}

/**
 * What the drain itself reads of a delivery (issue 20: store first, derive after): only what makes
 * it durable and exactly-once, the bytes, properties and headers (canonical JSON) and their
 * fingerprint, plus the two delivery fields the message's stored form does not keep. The rest of
 * the reading (contract, x-death, error headers, group, search text: prepareDeadLetter) is done by
 * the derivation from the stored row (lib/bus/read-inbox.ts), after the ack.
 */
export interface RawDeath {
  fingerprint: string;
  /** sha256 of the body alone (the record keeps it) */
  bodySha256: string;
  redelivered: boolean;
  /** the delivery's routing key: the record's when x-death names none */
  routingKey: string | null;
  body: Buffer;
  properties: string;
  headers: string;
  /** set when the message could not be read: the drain parks it with this reason */
  unreadable: string | null;
  /** set by the drain once this delivery is stored or parked, so a retried batch skips it */
  done?: boolean;
  /**
   * set by the drain when this delivery's channel died before it was stored and the broker has
   * redelivered it meanwhile: a stored row with its fingerprint may be that copy, never taken for
   * an identical new death (lib/bus/write-raw.ts)
   */
  copyRedelivered?: boolean;
}

/** Never throws: a message that cannot be read comes back marked `unreadable` (see unreadableDeath). */
export function rawDeadLetter(msg: ConsumeMessage): RawDeath {
  try {
    const { headers: rawHeaders, ...rest } = msg.properties;
    const headers = (rawHeaders ?? {}) as Record<string, unknown>;
    testHook(headers);
    const headersJson = JSON.stringify(encodeTable(headers));
    const propertiesJson = JSON.stringify(encodeTable(rest));
    const bodySha256 = createHash('sha256').update(msg.content).digest('hex');
    const routingKey = msg.fields.routingKey;
    return {
      fingerprint: fingerprintOf(bodySha256, propertiesJson, headersJson),
      bodySha256,
      redelivered: msg.fields.redelivered === true,
      routingKey: typeof routingKey === 'string' ? routingKey : null,
      body: msg.content,
      properties: propertiesJson,
      headers: headersJson,
      unreadable: null,
    };
  } catch (err) {
    return unreadableDeath(msg, new Date(), `cannot read the message: ${errorText(err)}`);
  }
}

/**
 * What a stored message already has (an inbox row: lib/bus/read-inbox.ts): its canonical JSON and
 * hashes, from the drain, so reading it again does not encode nor hash it again.
 */
export interface StoredForm {
  fingerprint: string;
  bodySha256: string;
  properties: string;
  headers: string;
  /** the body's size when the message's content is only its beginning (a body over MAX_READ_BODY_BYTES) */
  bodySize?: number;
}

/** Never throws: a message that cannot be read comes back marked `unreadable` (see unreadableDeath). */
export function prepareDeadLetter(msg: ConsumeMessage, receivedAt: Date = new Date(), stored?: StoredForm): PreparedDeath {
  try {
    return prepareFully(msg, receivedAt, stored);
  } catch (err) {
    return unreadableDeath(msg, receivedAt, `cannot read the message: ${errorText(err)}`);
  }
}

export function errorText(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } catch {
    return 'unprintable error';
  }
}

/** Printable ASCII only, bounded: safe in any column, header or log line. */
export function asciiText(value: string | null | undefined, max = MAX_TEXT): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  let out = '';
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f ? s[i] : '?';
  }
  return out;
}

const emptyBody = Buffer.alloc(0);

/**
 * The least the drain needs to park a message it cannot read: the exact body, its hashes, the
 * routing key, the consumer queue when x-death still names one, and the reason. Nothing here
 * walks the headers beyond what is guarded.
 */
export function unreadableDeath(msg: ConsumeMessage, receivedAt: Date, reason: string): PreparedDeath {
  const body = Buffer.isBuffer(msg?.content) ? msg.content : emptyBody;
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  let headersJson = '{}';
  let propertiesJson = '{}';
  let queue = '';
  let routingKey: string | null = null;
  try {
    headersJson = JSON.stringify(encodeTable(msg.properties?.headers ?? {}));
  } catch {
    /* unreadable part: the defaults above are kept, the bytes are what matter */
  }
  try {
    const { headers: _h, ...rest } = msg.properties ?? {};
    propertiesJson = JSON.stringify(encodeTable(rest));
  } catch {
    /* unreadable part: the defaults above are kept, the bytes are what matter */
  }
  try {
    queue = asciiText(deathQueueOnly(msg.properties?.headers), 255);
  } catch {
    /* unreadable part: the defaults above are kept, the bytes are what matter */
  }
  try {
    routingKey = asciiText(msg.fields?.routingKey, 255) || null;
  } catch {
    /* unreadable part: the defaults above are kept, the bytes are what matter */
  }
  const fingerprint = fingerprintOf(bodySha256, propertiesJson, headersJson);
  const key = groupKey({ eventType: null, queue, reason: null, errorMessage: null, fallback: 'unreadable' });
  return {
    fingerprint,
    redelivered: msg?.fields?.redelivered === true,
    eventKey: `unreadable:${fingerprint}`,
    eventKeySource: 'body-sha256',
    eventId: null,
    eventType: null,
    version: null,
    routingKey,
    queue,
    reason: null,
    exchange: null,
    failedAt: receivedAt,
    errorMessage: null,
    validationStatus: 'unparseable',
    violations: '[]',
    correlationId: null,
    group: key,
    groupId: groupId(key),
    contentType: null,
    bodySize: body.length,
    bodySha256,
    searchText: '',
    republishCount: 0,
    body,
    properties: propertiesJson,
    headers: headersJson,
    deaths: [],
    deathCount: 0,
    unreadable: asciiText(reason),
  };
}

/** sha256 over body, properties and headers, without the DLQ's own x-delivery-count. */
function fingerprintOf(bodySha256: string, propertiesJson: string, headersJson: string): string {
  let headers = headersJson;
  if (headersJson.includes(`"${DELIVERY_COUNT_HEADER}"`)) {
    try {
      const { [DELIVERY_COUNT_HEADER]: _count, ...rest } = JSON.parse(headersJson) as Record<string, unknown>;
      headers = JSON.stringify(rest);
    } catch {
      /* kept whole: a fingerprint is still a fingerprint */
    }
  }
  return createHash('sha256').update(bodySha256).update('\u0000').update(propertiesJson).update('\u0000').update(headers).digest('hex');
}

/** The consumer queue from x-death (or x-last/first-death-queue), reading nothing else. */
function deathQueueOnly(headers: unknown): string {
  if (!headers || typeof headers !== 'object') return '';
  const h = headers as Record<string, unknown>;
  const deaths = h['x-death'];
  if (Array.isArray(deaths) && deaths[0] && typeof deaths[0] === 'object') {
    const q = headerText((deaths[0] as Record<string, unknown>).queue);
    if (q !== undefined) return q;
  }
  return headerText(h['x-last-death-queue']) ?? headerText(h['x-first-death-queue']) ?? '';
}

/**
 * Test hook: a message carrying the header this names cannot be read. The drain reads every value
 * a client can put on the wire into something storable, so the unreadable path (park, record,
 * retry) has no trigger left but a bug; its tests make one.
 */
const TEST_UNREADABLE_HEADER = 'EVENTDESK_TEST_UNREADABLE_HEADER';

function testHook(headers: Record<string, unknown>): void {
  const hook = process.env[TEST_UNREADABLE_HEADER];
  if (hook && headers[hook] !== undefined) throw new RangeError(`test hook: "${hook}" makes this message unreadable`);
}

/**
 * Test hook: reading a message carrying the header this names kills the process (SIGKILL), as a
 * message whose reading runs Node out of memory would (lib/bus/derivation-attempts.ts). Only the
 * derivation's full reading checks it, never the drain's.
 */
const TEST_FATAL_HEADER = 'EVENTDESK_TEST_FATAL_HEADER';

function fatalTestHook(headers: Record<string, unknown>): void {
  const hook = process.env[TEST_FATAL_HEADER];
  if (hook && headers[hook] !== undefined) process.kill(process.pid, 'SIGKILL');
}

function prepareFully(msg: ConsumeMessage, receivedAt: Date, stored?: StoredForm): PreparedDeath {
  const body = msg.content;
  const { headers: rawHeaders, ...rest } = msg.properties;
  const headers = (rawHeaders ?? {}) as Record<string, unknown>;
  testHook(headers);
  fatalTestHook(headers);
  // canonical: encodeTable sorts keys at every level
  const headersJson = stored?.headers ?? JSON.stringify(encodeTable(headers));
  const propertiesJson = stored?.properties ?? JSON.stringify(encodeTable(rest));
  const bodySha256 = stored?.bodySha256 ?? createHash('sha256').update(body).digest('hex');
  const bodySize = stored?.bodySize ?? body.length;
  const fingerprint = stored?.fingerprint ?? fingerprintOf(bodySha256, propertiesJson, headersJson);

  const contentType = cleanText(headerText(rest.contentType) ?? null, 200);
  const validation = safeValidate(body, contentType ?? undefined, bodySize);
  const deaths = parseDeaths(headers);
  const death = summariseDeath(headers, deaths);
  const error = readErrorDetails(headers);

  const messageId = cleanText(headerText(rest.messageId) ?? null, 500);
  const bodyEventId = cleanText(validation.eventId?.trim() || null, 500);
  const [eventKey, eventKeySource] = bodyEventId
    ? [bodyEventId, 'event-id' as const]
    : messageId
      ? [messageId, 'message-id' as const]
      : [bodySha256, 'body-sha256' as const];

  const eventType = cleanText(validation.eventType ?? headerText(rest.type) ?? null, 200);
  const queue = cleanText(death.queue, 500) ?? '';
  const reason = cleanText(death.reason, 100);
  const errorMessage = cleanText(error.message);
  const key = groupKey({ eventType, queue, reason, errorMessage, fallback: validation.status });
  const correlationId = cleanText(headerText(headers['x-correlation-id']) ?? headerText(rest.correlationId) ?? validation.correlationId ?? null, 500);

  return {
    fingerprint,
    redelivered: msg.fields.redelivered,
    eventKey,
    eventKeySource,
    eventId: bodyEventId,
    eventType,
    version: cleanText(validation.version ?? null, 50),
    routingKey: cleanText(death.routingKey ?? msg.fields.routingKey ?? null, 500),
    queue,
    reason,
    exchange: cleanText(death.exchange, 500),
    failedAt: deathTime(death.time, receivedAt),
    errorMessage,
    validationStatus: validation.status,
    violations: cleanViolations(validation.violations),
    correlationId,
    group: key,
    groupId: groupId(key),
    contentType,
    bodySize,
    bodySha256,
    searchText: ownSearchText(body, errorMessage),
    republishCount: republishCount(headers[REPUBLISH_COUNT_HEADER]),
    body,
    properties: propertiesJson,
    headers: headersJson,
    deaths,
    deathCount: death.count,
    unreadable: null,
  };
}

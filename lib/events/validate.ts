// Validates one event (parsed JSON or raw message bytes) against the contract registry.
// Never throws: every input gets a status and violations, and the envelope's ids are extracted
// even from invalid events (the drain keys records by eventId and groups by eventType).
import { contractFor, currentContract, isKnownEventType, parseVersion, supportedMajors, type ValidationStatus, type Violation } from './registry';
import { jsonTextShape } from './json-text-shape';
import { scanEnvelope } from './scan-envelope';
import { violationsFromIssues } from './violations';

export interface ValidationResult {
  status: ValidationStatus;
  violations: Violation[];
  eventId?: string;
  eventType?: string;
  version?: string;
  correlationId?: string;
  /** the parsed event (unknown fields kept) when status is 'valid' */
  event?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Some producers put a correlation id in the body; AMQP headers are read by the caller. */
function correlationIdOf(value: Record<string, unknown>): string | undefined {
  const meta = value.metadata;
  return str(value.correlationId) ?? (isRecord(meta) ? str(meta.correlationId) : undefined);
}

/**
 * Most values (array elements and object members, at any depth) an event may hold to be checked
 * against its contract. zod reports one issue per bad element and keeps them all: an 18 MB body
 * of 9,000,000 array elements took the drain's derivation past 4 GB and out of memory, again on
 * every restart (the same stored row), and 99,000 bad elements still cost 280 ms and 80 MB. Real
 * events hold tens of values; a bigger one is reported as not checked, its envelope still read.
 */
export const MAX_CHECKED_VALUES = 10_000;

/** Whether a parsed value holds more than `max` values; walks at most `max` of them (no recursion). */
export function holdsMoreValuesThan(value: unknown, max: number): boolean {
  let seen = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    seen += children.length;
    if (seen > max) return true;
    for (const c of children) if (c !== null && typeof c === 'object') stack.push(c);
  }
  return false;
}

/**
 * Bodies whose text holds more values than this (jsonTextShape: commas and containers, so at
 * least half of it in array elements and object members, far past MAX_CHECKED_VALUES) are not
 * parsed at all: JSON.parse of 100 MB of `{},` took 56 s and 3.4 GB on the server's event loop,
 * and at 125 MB the derivation's transaction timed out around it and tried again forever (found
 * by an adversarial probe). Their envelope is read by scanEnvelope, in one linear pass that also
 * checks the text is JSON.
 */
export const MAX_PARSED_VALUES = 100_000;

const TOO_MANY_VALUES = `holds more than ${MAX_CHECKED_VALUES} values`;

/**
 * How much of a body over validateBody's `maxBytes` is read: its envelope (eventId, eventType,
 * version, correlationId) from this many first bytes, which producers write before the data.
 */
export const ENVELOPE_PREFIX_BYTES = 64 * 1024;

/** Most violations one event reports (the first ones, in zod's order). */
const MAX_VIOLATIONS = 1000;

/**
 * `notChecked`: why the body's contract is not checked (too many values, or too many bytes to
 * read): its envelope alone is `value` (scanEnvelope).
 * `textLength`: the length of the JSON text `value` was parsed from, when known: a text of at most
 * MAX_CHECKED_VALUES characters cannot hold more values than that (each takes a character at
 * least), so the walk that counts them is skipped (the derivation reads every dead letter so).
 */
export function validateEvent(value: unknown, notChecked: string | null = null, textLength = Infinity): ValidationResult {
  if (!isRecord(value)) {
    return { status: 'invalid', violations: [{ path: '$', message: 'must be a JSON object (an event envelope)' }] };
  }
  const result: ValidationResult = {
    status: 'invalid',
    violations: [],
    eventId: str(value.eventId),
    eventType: str(value.eventType),
    version: str(value.version),
    correlationId: correlationIdOf(value),
  };
  const { eventType, version } = result;

  if (eventType === undefined) {
    result.violations.push({ path: '$.eventType', message: 'is required and must be a string' });
    return result;
  }
  if (!isKnownEventType(eventType)) {
    result.status = 'unknown-type';
    result.violations.push({ path: '$.eventType', message: `unknown event type "${eventType}"` });
    return result;
  }

  const parsed = version === undefined ? undefined : parseVersion(version);
  // A missing or malformed version: report it along with everything else, against the current shape.
  const contract = parsed ? contractFor(eventType, version!) : currentContract(eventType);
  if (parsed && !contract) {
    result.status = 'unsupported-version';
    result.violations.push({
      path: '$.version',
      message: `major ${parsed.major} of ${eventType} is not supported (supported: ${supportedMajors(eventType).join(', ')})`,
    });
    return result;
  }

  if (notChecked === null && textLength > MAX_CHECKED_VALUES && holdsMoreValuesThan(value, MAX_CHECKED_VALUES)) notChecked = TOO_MANY_VALUES;
  if (notChecked !== null) {
    result.violations.push({ path: '$', message: `not checked against the contract: ${notChecked}` });
    return result;
  }
  const outcome = contract!.schema.safeParse(value);
  if (outcome.success && parsed) {
    result.status = 'valid';
    result.event = outcome.data;
    return result;
  }
  result.violations = outcome.success
    ? [{ path: '$.version', message: 'must be "<major>.<minor>"' }]
    : violationsFromIssues(outcome.error.issues.slice(0, MAX_VIOLATIONS), value);
  return result;
}

// One decoder for every call; fatal so that binary bodies are reported, not mangled.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function unparseable(message: string): ValidationResult {
  return { status: 'unparseable', violations: [{ path: '$', message }] };
}

/**
 * A body too big to read whole (validateBody's `maxBytes`): its envelope read from its first
 * ENVELOPE_PREFIX_BYTES, its contract not checked. Malformed JSON or UTF-8 there is still
 * reported; the rest of the body is not looked at.
 */
function validatePrefix(body: Uint8Array, size: number, maxBytes: number, ct: string): ValidationResult {
  let text: string;
  try {
    // streamed: a character the prefix's end cuts in half is left out, not taken for binary
    text = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, ENVELOPE_PREFIX_BYTES), { stream: true });
  } catch {
    return unparseable(`body is not UTF-8 text${ct}: binary content`);
  }
  const scan = scanEnvelope(text, { prefix: true });
  if (!scan.json) return unparseable(`body is not JSON${ct}: ${scan.error}`);
  const notChecked = `the body is ${megabytes(size)}, over the ${megabytes(maxBytes)} read in full (its envelope read from its first ${ENVELOPE_PREFIX_BYTES / 1024} KB)`;
  if (!scan.object) return validateEvent([], notChecked);
  const result = validateEvent(scan.metadata ? { ...scan.members, metadata: scan.metadata } : { ...scan.members }, notChecked);
  // its type may come later in the body: not "required", unknown
  if (result.eventType === undefined && !scan.complete)
    result.violations = [{ path: '$', message: `not checked against the contract: ${notChecked}; no eventType there` }];
  return result;
}

/** Bytes as MB, rounded up to a tenth (a body of 8 MB and 1 byte is over 8 MB: 8.1 MB). */
const megabytes = (bytes: number) => `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toString()} MB`;

export interface BodyLimit {
  /** bodies over this many bytes are not read whole (validatePrefix): JSON.parse and the contract of 100 MB held the event loop ~1 s */
  maxBytes: number;
  /** the body's size when `body` is only its beginning (at least ENVELOPE_PREFIX_BYTES of it); else body.byteLength */
  size?: number;
}

/** Validates raw message bytes: strict UTF-8, then JSON, then the contract; a body over `limit.maxBytes` by its envelope only. */
export function validateBody(body: Uint8Array, contentType?: string, limit?: BodyLimit): ValidationResult {
  const ct = contentType ? ` (content type ${contentType})` : '';
  const size = limit?.size ?? body.byteLength;
  if (size === 0) return unparseable(`empty body${ct}`);
  if (limit && size > limit.maxBytes) return validatePrefix(body, size, limit.maxBytes, ct);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return unparseable(`body is not UTF-8 text${ct}: binary content`);
  }
  // (a text holds at most as many values as characters: a short one is not walked)
  if (text.length > MAX_PARSED_VALUES && jsonTextShape(text).values > MAX_PARSED_VALUES) {
    // not parsed (MAX_PARSED_VALUES): checked to be JSON and its envelope read, its contract not checked
    const scan = scanEnvelope(text);
    if (!scan.json) return unparseable(`body is not JSON${ct}: ${scan.error}`);
    if (!scan.object) return validateEvent([], TOO_MANY_VALUES);
    return validateEvent(scan.metadata ? { ...scan.members, metadata: scan.metadata } : { ...scan.members }, TOO_MANY_VALUES);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return unparseable(`body is not JSON${ct}: ${(error as Error).message}`);
  }
  return validateEvent(value, null, text.length);
}

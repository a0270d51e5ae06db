// Masking of personal data for viewers: every field named in MASK_FIELDS (default email,
// paymentId), at any depth of a JSON body, headers, an edit diff or any API response, shows as
// "j***@e***.com" / "p***9"; email addresses inside any string are masked too. Operators and
// admins see values in full. Linear in the input and without recursion (lib/mask/mask-scan.ts,
// lib/cap-depth.ts): a 120 KB body or a 10,000-deep one is masked in milliseconds.
import 'server-only';
import { createHash } from 'node:crypto';
import { capDepth, mapJson, MAX_RESPONSE_DEPTH } from '@/lib/cap-depth';
import { TextPieces } from '@/lib/api/json-stream';
import { env } from '@/lib/env';
import type { Actor } from './authorize';
import { hasRole } from './authorize';
import { maskScalar, maskText, maskTextAsync, scrubEmails, type MaskTextOptions } from '@/lib/mask/mask-scan';
import { viewerMasking } from '@/lib/mask/viewer-search';
import { FULL_TEXT_SEARCH, type SearchScope } from '@/lib/server/dead-letters/dead-letter-where';

function scalarText(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? '';
}

/** One value, shape kept: j***@e***.com for an email, first and last character otherwise. */
export function maskValue(value: unknown): unknown {
  return mapJson(value, (v) => (v === null || v === undefined ? v : maskScalar(scalarText(v))));
}

/** Email addresses inside free text (error messages, bodies that are not JSON). */
export function maskEmailsInText(text: string): string {
  return scrubEmails(text);
}

export interface MaskOptions {
  /** Also mask email addresses inside any string (error messages, non-JSON bodies). */
  scrubEmails?: boolean;
  /** Property names whose strings are never scrubbed (who did what: staff, not customers). */
  keep?: readonly string[];
}

/**
 * A header value the drain stored encoded (lib/bus/amqp-values.ts: {"$bytes": base64} for a byte
 * array, as amqplib Buffers and Java byte[] headers arrive, {"$str": base64} for text with NUL):
 * masked as the text it holds (bytes as Latin-1, one character a byte), shown encoded again. Sent
 * as base64, an address in it reached viewers whole (found by a probe).
 */
function maskEncodedValue(key: string, value: unknown, options: MaskTextOptions): { value: unknown } | undefined {
  if ((key !== '$bytes' && key !== '$str') || typeof value !== 'string') return undefined;
  const bytes = Buffer.from(value, 'base64');
  // only what the drain's encoder wrote (base64 that reads back the same); anything else under
  // such a name (an operator's JSON Patch value) is masked as the string it is
  if (bytes.toString('base64') !== value) return undefined;
  const encoding = key === '$bytes' ? 'latin1' : 'utf8';
  const text = bytes.toString(encoding);
  const masked = maskText(text, options);
  return { value: masked === text ? value : Buffer.from(masked, encoding).toString('base64') };
}

/** maskForActor's defaults: scrub emails in free text, but not the audit actor. */
export const VIEWER_MASK_OPTIONS: MaskOptions = { scrubEmails: true, keep: ['actor', 'createdBy'] };

/**
 * Deep copy of `value` with every property whose name is in `fields` (case-insensitive) masked.
 * Every string is also read as possibly-JSON text (a message body `{encoding: 'utf8', data}`, an
 * edit diff, an error message quoting a payload): named fields inside it are masked where they
 * stand, the rest of the text kept byte for byte. Sub-trees deeper than MAX_RESPONSE_DEPTH are
 * replaced by a note (JSON.stringify would overflow the stack on them anyway).
 */
export function maskFields<T>(value: T, fields: readonly string[], options: MaskOptions = {}): T {
  const names = new Set(fields.map((f) => f.toLowerCase()));
  if (names.size === 0 && !options.scrubEmails) return value;
  const textOptions = { names, scrubEmails: options.scrubEmails ?? false };
  const keep = new Set((options.keep ?? []).map((k) => k.toLowerCase()));
  const leaf = (v: unknown) => (typeof v === 'string' ? maskText(v, textOptions) : v);
  return mapJson(value, leaf, MAX_RESPONSE_DEPTH, (k, v) => {
    const lower = k.toLowerCase();
    if (names.has(lower)) return { value: maskValue(v) };
    if (keep.has(lower)) return { value: v };
    return maskEncodedValue(k, v, textOptions);
  }) as T;
}

/** Strings longer than this are masked in slices, letting the event loop run between them. */
export const ASYNC_MASK_THRESHOLD = 32 * 1024;

/**
 * maskFields for responses that may carry big texts (message bodies of several MB, long diffs):
 * the same result, with every string over ASYNC_MASK_THRESHOLD masked by maskTextAsync, so no
 * single stretch holds the event loop more than about MASK_SLICE_MS.
 */
export async function maskFieldsAsync<T>(value: T, fields: readonly string[], options: MaskOptions = {}): Promise<T> {
  const names = new Set(fields.map((f) => f.toLowerCase()));
  if (names.size === 0 && !options.scrubEmails) return value;
  const textOptions: MaskTextOptions = { names, scrubEmails: options.scrubEmails ?? false };
  const keep = new Set((options.keep ?? []).map((k) => k.toLowerCase()));
  const big: { parent: Record<string, unknown> | unknown[]; key: string | number; text: string }[] = [];
  const leaf = (v: unknown, parent?: Record<string, unknown> | unknown[], key?: string | number) => {
    if (typeof v !== 'string') return v;
    if (v.length <= ASYNC_MASK_THRESHOLD || parent === undefined || key === undefined) return maskText(v, textOptions);
    big.push({ parent, key, text: v });
    return v; // replaced below, once masked
  };
  const result = mapJson(value, leaf, MAX_RESPONSE_DEPTH, (k, v) => {
    const lower = k.toLowerCase();
    if (names.has(lower)) return { value: maskValue(v) };
    if (keep.has(lower)) return { value: v };
    return maskEncodedValue(k, v, textOptions);
  }) as T;
  for (const { parent, key, text } of big) (parent as Record<string | number, unknown>)[key] = await maskTextAsync(text, textOptions);
  return result;
}

/** JSON text in, masked JSON text out, its layout kept (see maskText). */
export function maskJsonText(text: string, fields: readonly string[], options: MaskOptions = {}): string {
  return maskText(text, { names: new Set(fields.map((f) => f.toLowerCase())), scrubEmails: options.scrubEmails ?? false });
}

/** maskForActor for routes whose responses may carry big texts: see maskFieldsAsync. */
export async function maskForActorAsync<T>(actor: Pick<Actor, 'role'>, value: T, fields: readonly string[] = env().MASK_FIELDS): Promise<T> {
  return hasRole(actor, 'operator') ? capDepth(value) : maskFieldsAsync(value, fields, VIEWER_MASK_OPTIONS);
}

/** A message body as the detail route sends it: its text in pieces, its size and hash. */
export interface BodyPieces {
  encoding: 'utf8' | 'base64';
  data: TextPieces;
  sizeBytes: number;
  sha256: string;
  /** why `data` is empty for this actor (a body too big to mask for a viewer) */
  omitted?: string;
}

/**
 * Bodies over this many bytes are not shown to viewers: masking reads the whole text at once
 * (JSON.parse and JSON.stringify of each string literal, the masked text encoded and hashed), and
 * one viewer's GET of a 100 MB body held the event loop 3.8-3.9 s, two at once 8.9 s and 1.35 GB
 * (an adversarial probe); 20 MB, 0.6-1.0 s.
 */
export const MAX_MASKED_BODY_BYTES = 8 * 1024 * 1024;

/** The largest body this actor is shown, so the largest worth reading for them: any for operators. */
export function bodyShownUpTo(actor: Pick<Actor, 'role'>): number {
  return hasRole(actor, 'operator') ? Infinity : MAX_MASKED_BODY_BYTES;
}

/**
 * A message body (many MB, kept in pieces: lib/api/json-stream.ts) as this actor sees it: as-is
 * for operators, never joined; for viewers masked like any string of a response (named fields and
 * email addresses), in slices, with the size and sha256 of what they are shown. The stored
 * bytes' hash would give the masked values away: a viewer recovered a masked address from it by
 * trying candidates (38 ms, found by an adversarial probe).
 */
export async function maskBodyForActor<T extends BodyPieces>(actor: Pick<Actor, 'role'>, body: T, fields: readonly string[] = env().MASK_FIELDS): Promise<T> {
  if (hasRole(actor, 'operator')) return body;
  // neither its bytes nor their hash: the size alone says what it is
  if (body.sizeBytes > bodyShownUpTo(actor))
    return {
      ...body,
      data: new TextPieces(['']),
      sha256: '',
      omitted: `The body is ${(body.sizeBytes / 1024 / 1024).toFixed(1)} MB: bodies over ${MAX_MASKED_BODY_BYTES / 1024 / 1024} MB are not masked for viewers, so not shown to them (an operator sees it whole).`,
    };
  const options: MaskTextOptions = { names: new Set(fields.map((f) => f.toLowerCase())), scrubEmails: VIEWER_MASK_OPTIONS.scrubEmails ?? false };
  const joined = body.data.text();
  // no stored message: nothing is shown, so neither is the stored bytes' hash
  if (joined === '' && body.sizeBytes > 0) return { ...body, data: new TextPieces(['']), sha256: '' };
  // a body that is not UTF-8 text is sent as base64: its bytes are masked as Latin-1 text (one
  // character a byte, so every byte stays where it was; Latin-1 JSON such as {"email":"jörg@…"}
  // was sent to viewers whole)
  const text = body.encoding === 'utf8' ? joined : Buffer.from(joined, 'base64').toString('latin1');
  const masked = await maskTextAsync(text, options);
  if (masked === text) return body;
  const shown = Buffer.from(masked, body.encoding === 'utf8' ? 'utf8' : 'latin1');
  return {
    ...body,
    data: new TextPieces([body.encoding === 'utf8' ? masked : shown.toString('base64')]),
    sizeBytes: shown.length,
    sha256: createHash('sha256').update(shown).digest('hex'),
  };
}

/**
 * Which text this actor's full-text search reads: all of it for operators and admins, for viewers
 * only what they are shown (a search of the full text would confirm a masked value they guess).
 */
export function searchScopeFor(actor: Pick<Actor, 'role'>, fields: readonly string[] = env().MASK_FIELDS): SearchScope {
  return hasRole(actor, 'operator') ? FULL_TEXT_SEARCH : { kind: 'masked', masking: viewerMasking(fields) };
}

/**
 * What a route returns to this actor: masked for viewers (and only for them), as-is otherwise
 * (both with sub-trees past MAX_RESPONSE_DEPTH replaced, so the response can be serialised).
 */
export function maskForActor<T>(actor: Pick<Actor, 'role'>, value: T, fields: readonly string[] = env().MASK_FIELDS): T {
  return hasRole(actor, 'operator') ? capDepth(value) : maskFields(value, fields, VIEWER_MASK_OPTIONS);
}

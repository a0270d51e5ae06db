// Masking of personal data for viewers: every field named in MASK_FIELDS (default email,
// paymentId), at any depth of a parsed JSON body, headers or any API response, shows as
// "j***@e***.com" / "p***9". Operators and admins see values in full.
import 'server-only';
import { env } from '@/lib/env';
import type { Actor } from './authorize';
import { hasRole } from './authorize';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** One value, shape kept: j***@e***.com for an email, first and last character otherwise. */
export function maskValue(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(maskValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  const text = String(value);
  if (/^[^@\s]+@[^@\s]+$/.test(text)) {
    const [local, domain] = text.split('@');
    const dot = domain.lastIndexOf('.');
    const host = dot > 0 ? domain.slice(0, dot) : domain;
    return `${local[0]}***@${host[0]}***${dot > 0 ? domain.slice(dot) : ''}`;
  }
  return text.length <= 4 ? '***' : `${text[0]}***${text[text.length - 1]}`;
}

/** Email addresses inside free text (error messages, bodies that are not JSON). */
export function maskEmailsInText(text: string): string {
  return text.replace(EMAIL, (m) => String(maskValue(m)));
}

export interface MaskOptions {
  /** Also mask email addresses inside any string (error messages, non-JSON bodies). */
  scrubEmails?: boolean;
  /** Property names whose strings are never scrubbed (who did what: staff, not customers). */
  keep?: readonly string[];
}

/** maskForActor's defaults: scrub emails in free text, but not the audit actor. */
export const VIEWER_MASK_OPTIONS: MaskOptions = { scrubEmails: true, keep: ['actor', 'createdBy'] };

/**
 * Deep copy of `value` with every property whose name is in `fields` (case-insensitive) masked.
 * A message body `{ encoding: 'utf8', data: '<json text>' }` is parsed, masked and written back,
 * so the detail view's body is covered by the same call.
 */
export function maskFields<T>(value: T, fields: readonly string[], options: MaskOptions = {}): T {
  const names = new Set(fields.map((f) => f.toLowerCase()));
  if (names.size === 0) return value;
  const scrub = options.scrubEmails ?? false;
  const keep = new Set((options.keep ?? []).map((k) => k.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub ? maskEmailsInText(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    const obj = v as Record<string, unknown>;
    if (obj.encoding === 'utf8' && typeof obj.data === 'string') {
      return { ...Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, k === 'data' ? x : walk(x)])), data: maskJsonText(obj.data, fields, options) };
    }
    return Object.fromEntries(
      Object.entries(obj).map(([k, x]) => [k, names.has(k.toLowerCase()) ? maskValue(x) : keep.has(k.toLowerCase()) ? x : walk(x)]),
    );
  };
  return walk(value) as T;
}

/** JSON text in, masked JSON text out (indentation kept as 2 spaces when it had line breaks). */
export function maskJsonText(text: string, fields: readonly string[], options: MaskOptions = {}): string {
  const scrub = options.scrubEmails ?? false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return scrub ? maskEmailsInText(text) : text;
  }
  return JSON.stringify(maskFields(parsed, fields, options), null, text.includes('\n') ? 2 : undefined);
}

/** What a route returns to this actor: masked for viewers (and only for them), as-is otherwise. */
export function maskForActor<T>(actor: Pick<Actor, 'role'>, value: T, fields: readonly string[] = env().MASK_FIELDS): T {
  return hasRole(actor, 'operator') ? value : maskFields(value, fields, VIEWER_MASK_OPTIONS);
}

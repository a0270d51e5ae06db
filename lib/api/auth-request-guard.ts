// What next-auth's route gets to see: a body read as a stream up to AUTH_MAX_BODY_BYTES (413
// past it, before next-auth buffers anything), and no field it would choke on. next-auth answers
// 500 for a callbackUrl with CR/LF (it ends up in a Location or Set-Cookie header) or for
// NUL characters; those are the client's mistakes, so they get a 400 in the error envelope here.
// Whether a callbackUrl is same-origin is decided by the auth callbacks, not here.
import { ApiError } from './errors';
import { readBodyLimited } from './parse';
import { badCharacter } from '@/lib/schemas/safe-input';

export const AUTH_MAX_BODY_BYTES = 64 * 1024;
/** Longest value any next-auth field (query, form, callback-url cookie) may have. */
export const AUTH_MAX_FIELD_LENGTH = 4096;
/** Form fields and query parameters next-auth reads; anything else is passed through unchecked. */
const URL_FIELDS = new Set(['callbackUrl', 'redirect', 'error']);

function fieldProblem(name: string, value: string): string | null {
  const bad = badCharacter(value) ?? badCharacter(name);
  if (bad) return bad;
  if (value.length > AUTH_MAX_FIELD_LENGTH) return `longer than ${AUTH_MAX_FIELD_LENGTH} characters`;
  if (URL_FIELDS.has(name)) {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c === 0x7f) return 'must not contain control characters (CR, LF, TAB ...)';
    }
  }
  return null;
}

function check(pairs: Iterable<[string, string]>, where: string): void {
  for (const [name, value] of pairs) {
    const problem = fieldProblem(name, value);
    if (problem) throw new ApiError('invalid_request', `Invalid ${where}: ${name}`, [{ field: name, message: problem }]);
  }
}

function cookieValue(request: Request, suffix: string): [string, string][] {
  const header = request.headers.get('cookie') ?? '';
  const out: [string, string][] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!name.endsWith(suffix)) continue;
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      throw new ApiError('invalid_request', `Invalid cookie: ${name}`, [{ field: name, message: 'not URL-encoded' }]);
    }
    out.push(['callbackUrl', value]);
  }
  return out;
}

/**
 * Checks the request and returns one next-auth can read again (its body buffered within the
 * limit), or throws an ApiError (400/413/408).
 */
export async function guardAuthRequest(request: Request): Promise<{ body: Uint8Array | null }> {
  check(new URL(request.url).searchParams, 'query parameter');
  check(cookieValue(request, 'next-auth.callback-url'), 'cookie');
  if (request.method === 'GET' || request.method === 'HEAD') return { body: null };
  const bytes = await readBodyLimited(request, AUTH_MAX_BODY_BYTES);
  const type = request.headers.get('content-type') ?? '';
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ApiError('invalid_request', 'Body is not valid UTF-8', [{ field: '(body)', message: 'not UTF-8' }]);
    }
    check(new URLSearchParams(text), 'field');
  } else if (/\bapplication\/json\b/i.test(type)) {
    // next-auth reads JSON bodies too (credentials included): the same checks on their fields
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new ApiError('invalid_request', 'Body is not valid JSON', [{ field: '(body)', message: 'not JSON' }]);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ApiError('invalid_request', 'Body must be a JSON object', [{ field: '(body)', message: 'not an object' }]);
    }
    const fields = Object.entries(parsed as Record<string, unknown>).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : '']);
    check(fields, 'field');
  }
  return { body: bytes };
}

// Request parsing against the shared zod schemas (lib/schemas). Failures name the field.
// Before any schema sees them: bodies are read as a stream and refused (413) as soon as they pass
// their limit (a chunked body has no Content-Length to check first), JSON nested deeper than
// MAX_REQUEST_JSON_DEPTH is refused before it is parsed, and NUL characters or lone surrogates in
// any query parameter or body string are refused: PostgreSQL would throw on them later (a 500).
import { z, type ZodError } from 'zod';
import { badCharacter } from '@/lib/schemas/safe-input';
import { MAX_REQUEST_JSON_DEPTH, MAX_REQUEST_JSON_VALUES } from '@/lib/cap-depth';
import { jsonTextShape } from '@/lib/events/json-text-shape';
import { ApiError } from './errors';

export interface FieldError {
  field: string;
  message: string;
}

/** unknown fields named in one error */
const MAX_NAMED_KEYS = 10;

/** One error per field, the first zod gives (a date that does not parse was also "not in the future"). */
export function zodDetails(err: ZodError): FieldError[] {
  const seen = new Set<string>();
  return issueDetails(err.issues).filter((d) => !seen.has(d.field) && seen.add(d.field));
}

/**
 * The branch of a union the input meant, when one can tell: a union of strict objects told apart by
 * their keys (a bulk selection: ids, groupId or filter) fails in every branch, and only the branch
 * whose own keys the input has names no unknown field. Its issues are the ones worth reporting
 * ("selection.ids: too big"), not the union's "Invalid input".
 */
function meantBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | null {
  const fitting = branches.filter((issues) => !issues.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
  return fitting.length === 1 ? fitting[0] : null;
}

function issueDetails(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FieldError[] {
  return issues.flatMap((i): FieldError[] => {
    const at = [...prefix, ...i.path].map(String);
    if (i.code === 'invalid_union') {
      const branch = meantBranch(i.errors);
      if (branch) return issueDetails(branch, [...prefix, ...i.path]);
    }
    // an unknown field is named itself (its parent's path alone would say "(root)")
    // (the first few, each cut short: a body may hold 200,000 of them)
    if (i.code === 'unrecognized_keys')
      return i.keys.slice(0, MAX_NAMED_KEYS).map((k) => ({ field: [...at, k.slice(0, 100)].join('.'), message: 'unknown field' }));
    return [{ field: at.join('.') || '(root)', message: i.message }];
  });
}

function invalid(what: string, details: FieldError[]): ApiError {
  return new ApiError('invalid_request', `${what}: ${details.map((d) => d.field).join(', ')}`, details);
}

/** Query parameters as an object (repeated ones as arrays), every key and value checked for bad characters. */
export function queryObject(request: Request): Record<string, string | string[]> {
  const params = new URL(request.url).searchParams;
  const raw: Record<string, string | string[]> = Object.create(null);
  const bad: FieldError[] = [];
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    const problem = badCharacter(key) ?? all.map(badCharacter).find((p) => p !== null) ?? null;
    if (problem) bad.push({ field: badCharacter(key) ? '(query)' : key, message: problem });
    raw[key] = all.length > 1 ? all : all[0];
  }
  if (bad.length) throw invalid('Invalid query parameter', bad);
  return raw;
}

export function parseQuery<S extends z.ZodTypeAny>(request: Request, schema: S): z.infer<S> {
  const raw = queryObject(request);
  const result = schema.safeParse({ ...raw });
  if (!result.success) {
    // a parameter given twice (limit=50&limit=100) that takes one value: says so, not "expected 50, 100 or 250"
    const repeated = (d: FieldError): FieldError => {
      const value = Object.hasOwn(raw, d.field) ? raw[d.field] : undefined;
      return Array.isArray(value) ? { field: d.field, message: `given ${value.length} times: expected one value` } : d;
    };
    throw invalid('Invalid query parameter', zodDetails(result.error).map(repeated));
  }
  return result.data;
}

/** Largest JSON body a route accepts unless it says otherwise (an edited message body fits). */
export const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;
/** Longest a client may take to send its body. */
export const BODY_READ_TIMEOUT_MS = 30_000;

const tooLarge = (maxBytes: number) =>
  new ApiError('payload_too_large', `Body over ${maxBytes} bytes`, [{ field: '(body)', message: `over ${maxBytes} bytes` }]);

/**
 * The request body, read chunk by chunk and abandoned (413) as soon as it passes `maxBytes`, or
 * when it has not all arrived within `timeoutMs` (408).
 */
export async function readBodyLimited(request: Request, maxBytes: number, timeoutMs = BODY_READ_TIMEOUT_MS): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError('request_timeout', `Body not received within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => {
      /* the body is being refused anyway: the error below is what the client hears */
    });
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/**
 * Whether JSON text may hold a string with a NUL or a lone surrogate. JSON has no raw NUL in a
 * string (JSON.parse refuses it) and text decoded as strict UTF-8 has no lone surrogate, so either
 * can only come from a \u escape: \u0000, or \uD800 to \uDFFF. False means none can be there;
 * true may be a false alarm (an escaped backslash followed by "u0000"), which the walk settles.
 * One linear scan (no backtracking), ~1 ms for 8 MB.
 */
export function mayHoldBadString(text: string): boolean {
  return /\\u(?:0000|[dD][89a-fA-F])/.test(text);
}

/**
 * The first string (key or value) of a parsed body holding a NUL or a lone surrogate. The path is
 * built only for the string found: a body of 4,000,000 array elements took 8.4 s to walk when
 * each element's path was built as it went (the event loop held all that time), ~40 ms now.
 * Recursive: request bodies are parsed only once their depth is known to be at most
 * MAX_REQUEST_JSON_DEPTH (decodeJsonBody).
 */
export function findBadString(value: unknown): FieldError | null {
  const path: (string | number)[] = [];
  const at = () => path.join('.') || '(root)';
  const walk = (v: unknown): FieldError | null => {
    if (typeof v === 'string') {
      const problem = badCharacter(v);
      return problem ? { field: at(), message: problem } : null;
    }
    if (v === null || typeof v !== 'object') return null;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e = v[i] as unknown;
        if (e === null || (typeof e !== 'object' && typeof e !== 'string')) continue;
        path.push(i);
        const found = walk(e);
        if (found) return found;
        path.pop();
      }
      return null;
    }
    for (const k of Object.keys(v)) {
      const problem = badCharacter(k);
      if (problem) return { field: at(), message: `a property name ${problem}` };
      path.push(k);
      const found = walk((v as Record<string, unknown>)[k]);
      if (found) return found;
      path.pop();
    }
    return null;
  };
  return walk(value);
}

/** Bytes -> JSON value with the checks every body gets (UTF-8, depth, characters). */
export function decodeJsonBody(bytes: Uint8Array, maxDepth = MAX_REQUEST_JSON_DEPTH): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new ApiError('invalid_request', 'Body is not valid UTF-8 JSON', [{ field: '(body)', message: (err as Error).message }]);
  }
  const shape = jsonTextShape(text);
  if (shape.depth > maxDepth) {
    throw new ApiError('invalid_request', `Body is nested deeper than ${maxDepth} levels`, [
      { field: '(body)', message: `nested deeper than ${maxDepth} levels` },
    ]);
  }
  if (shape.values > MAX_REQUEST_JSON_VALUES) {
    throw new ApiError('invalid_request', `Body holds more than ${MAX_REQUEST_JSON_VALUES} values`, [
      { field: '(body)', message: `more than ${MAX_REQUEST_JSON_VALUES} array elements and object members` },
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ApiError('invalid_request', 'Body is not valid UTF-8 JSON', [{ field: '(body)', message: (err as Error).message }]);
  }
  const bad = mayHoldBadString(text) ? findBadString(data) : null;
  if (bad) throw invalid('Invalid field', [bad]);
  return data;
}

function requireJsonType(request: Request): void {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'Expected Content-Type: application/json');
  }
}

function parseBodyBytes<S extends z.ZodTypeAny>(bytes: Uint8Array, schema: S): z.infer<S> {
  const result = schema.safeParse(decodeJsonBody(bytes));
  if (!result.success) throw invalid('Invalid field', zodDetails(result.error));
  return result.data;
}

export async function parseJsonBody<S extends z.ZodTypeAny>(request: Request, schema: S, maxBytes = MAX_JSON_BODY_BYTES): Promise<z.infer<S>> {
  requireJsonType(request);
  return parseBodyBytes(await readBodyLimited(request, maxBytes), schema);
}

/**
 * For routes whose JSON body is optional (restore, retry, pause...): a body of no bytes (or only
 * whitespace) is {}, whatever the headers say (a script's `-H 'Content-Type: application/json'`
 * with no body, or a body stream of nothing); anything else is parsed as parseJsonBody would.
 */
export async function optionalJsonBody<S extends z.ZodTypeAny>(request: Request, schema: S, maxBytes = MAX_JSON_BODY_BYTES): Promise<z.infer<S>> {
  const bytes = request.body ? await readBodyLimited(request, maxBytes) : new Uint8Array();
  if (bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) return schema.parse({});
  requireJsonType(request);
  return parseBodyBytes(bytes, schema);
}

// AMQP property and header values <-> JSON that PostgreSQL's jsonb accepts, losslessly.
// amqplib decodes field tables into Buffers (byte arrays), {'!': 'timestamp'|'decimal', value}
// objects, numbers (longs included), nested tables and arrays, and strings that may hold NUL,
// which jsonb rejects. A small tagged encoding keeps every value showable by the API and
// rebuildable for a republish:
//   {"$bytes": base64}            byte array (Buffer / Uint8Array)
//   {"$str": base64}              a string containing NUL (utf-8 bytes)
//   {"$timestamp": seconds}       AMQP timestamp (amqplib's {'!':'timestamp'} or a Date)
//   {"$decimal": {places, digits}} AMQP decimal
//   {"$long": "123"}              bigint
//   {"$num": "NaN"|"Infinity"|"-Infinity"}
//   {"$typed": {type, value}}     any other amqplib {'!': type, value} value
//   {"$table": [[key, value]...]} a table whose keys would be ambiguous ("$..." or containing NUL)
//   {"$undefined": true}
//   {"$truncated": "..."}         a value nested deeper than MAX_VALUE_DEPTH (never from amqplib,
//                                 whose headers the drain's decoder caps at 64 levels)
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const hasNul = (s: string) => s.includes('\u0000');

function encodeString(s: string): Json {
  return hasNul(s) ? { $str: Buffer.from(s, 'utf8').toString('base64') } : s;
}

/** Bounds the recursion of encodeAmqpValue / encodeTable: past it a value is replaced, not walked. */
export const MAX_VALUE_DEPTH = 100;
const TRUNCATED: Json = { $truncated: `nested deeper than ${MAX_VALUE_DEPTH} levels` };

export function encodeAmqpValue(value: unknown, depth = 0): Json {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : { $num: String(value) };
    case 'bigint':
      return { $long: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'object':
      break;
    case 'symbol':
      return encodeString(value.toString());
    default:
      return encodeString(typeof value === 'function' ? '[function]' : ''); // never in AMQP data
  }
  if (depth >= MAX_VALUE_DEPTH) return TRUNCATED;
  if (ArrayBuffer.isView(value)) {
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return { $timestamp: Math.floor(value.getTime() / 1000) };
  if (Array.isArray(value)) return value.map((v) => encodeAmqpValue(v, depth + 1));
  const obj = value as Record<string, unknown>;
  if (typeof obj['!'] === 'string' && 'value' in obj && Object.keys(obj).length === 2) {
    if (obj['!'] === 'timestamp' && typeof obj.value === 'number') return { $timestamp: obj.value };
    if (obj['!'] === 'decimal') return { $decimal: encodeAmqpValue(obj.value, depth + 1) };
    return { $typed: { type: obj['!'], value: encodeAmqpValue(obj.value, depth + 1) } };
  }
  return encodeTable(obj, depth + 1);
}

/**
 * Encodes a field table (headers) or a property set; undefined entries are left out. Keys come
 * out sorted at every level, so JSON.stringify of the result is canonical (fingerprints) without
 * a second pass; jsonb does not keep key order anyway.
 */
export function encodeTable(table: Record<string, unknown> | null | undefined, depth = 0): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  if (!table || typeof table !== 'object') return out;
  const keys = Object.keys(table)
    .filter((k) => table[k] !== undefined)
    .sort();
  // "__proto__" as a plain key would set the output's prototype instead of a property
  if (keys.some((k) => k.startsWith('$') || hasNul(k) || k === '__proto__')) {
    return { $table: keys.map((k) => [encodeString(k), encodeAmqpValue(table[k], depth)]) };
  }
  for (const k of keys) out[k] = encodeAmqpValue(table[k], depth);
  return out;
}

/**
 * The inverse: values amqplib can publish again (timestamps/decimals in its {'!'} form). `asRead`:
 * the values as the drain had them in hand instead (a long as the bigint it was, not amqplib's
 * {'!': 'long'}): what the derivation reads a stored message from (lib/bus/inbox-row.ts).
 */
export function decodeAmqpValue(value: Json, asRead = false): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decodeAmqpValue(v, asRead));
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const tag = keys[0];
    const v = value[tag];
    switch (tag) {
      case '$bytes':
        return Buffer.from(typeof v === 'string' ? v : '', 'base64');
      case '$str':
        return Buffer.from(typeof v === 'string' ? v : '', 'base64').toString('utf8');
      case '$timestamp':
        return { '!': 'timestamp', value: Number(v) };
      case '$decimal':
        return { '!': 'decimal', value: decodeAmqpValue(v, asRead) };
      case '$long':
        return asRead ? longOf(v) : { '!': 'long', value: Number(v) };
      case '$num':
        return Number(v);
      case '$undefined':
        return undefined;
      case '$typed': {
        const t = v as { type: string; value: Json };
        return { '!': t.type, value: decodeAmqpValue(t.value, asRead) };
      }
      case '$table': {
        const out: Record<string, unknown> = {};
        for (const [k, val] of v as [Json, Json][]) {
          Object.defineProperty(out, String(decodeAmqpValue(k, asRead)), {
            value: decodeAmqpValue(val, asRead),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = decodeAmqpValue(value[k], asRead);
  return out;
}

function longOf(v: Json): bigint | number {
  try {
    return typeof v === 'string' || typeof v === 'number' ? BigInt(v) : Number.NaN;
  } catch {
    return Number(v);
  }
}

/** The longest text a header value keeps in a record's columns (characters). */
export const MAX_TEXT = 2000;

/** PostgreSQL text cannot hold NUL nor jsonb lone surrogates; bounded so one odd header cannot bloat a row. */
export function cleanText(value: string | null | undefined, max = MAX_TEXT): string | null {
  if (value === null || value === undefined) return null;
  let s = value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value;
  if (s.length > max) s = s.slice(0, max);
  // lone surrogates (from JSON "\ud800" escapes) are rejected by jsonb
  return s.toWellFormed();
}

/** Header value as text, whatever its AMQP type (Buffers decoded as UTF-8). */
export function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

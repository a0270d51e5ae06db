// Depth bounds for walking content that came from outside (message bodies, headers, request
// bodies). JSON.parse is iterative in V8, but JSON.stringify and every recursive walk are not
// (about 4,000 levels overflow the stack), so content is measured and capped without recursion.
import { jsonTextShape } from '@/lib/events/json-text-shape';

/** Deepest nesting a request body may have (400 past it). */
export const MAX_REQUEST_JSON_DEPTH = 64;
/**
 * Most values (array elements and object members) a request body may hold (400 past it). The
 * largest a request needs is a bulk selection of 100,000 ids; JSON.parse cannot yield, and a body
 * of 8 MB in 900,000 members held the event loop 1.1 s in JSON.parse alone.
 */
export const MAX_REQUEST_JSON_VALUES = 250_000;
/** Deepest nesting a response walks or carries; deeper sub-trees are replaced by a note. */
export const MAX_RESPONSE_DEPTH = 256;

export const TOO_DEEP = (max: number) => `[nested deeper than ${max} levels: not shown]`;

/** Maximum nesting of `{`/`[` in JSON text, outside string literals; one linear pass. */
export function jsonTextDepth(text: string): number {
  return jsonTextShape(text).depth;
}

/** Nesting depth of a parsed value, counting containers; stops counting past `stopAt`. */
export function valueDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object' || v instanceof Date) continue;
    if (d > max) max = d;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return max;
}

/**
 * Copy of `value` in which every object or array nested deeper than `max` is replaced by
 * TOO_DEEP(max); `value` itself when it is shallow enough (the common case: no copy).
 */
export function capDepth<T>(value: T, max = MAX_RESPONSE_DEPTH): T {
  if (valueDepth(value, max) <= max) return value;
  return mapJson(value, (v) => v, max) as T;
}

/**
 * Iterative deep copy of a JSON-like value: `leaf` maps each scalar, `key` may map a property to
 * something else (returning undefined = walk it as usual), containers past `max` become TOO_DEEP.
 */
export function mapJson(
  value: unknown,
  /** maps a scalar; `parent` and `key` say where its result goes (absent for a scalar root) */
  leaf: (v: unknown, parent?: Record<string, unknown> | unknown[], key?: string | number) => unknown,
  max = MAX_RESPONSE_DEPTH,
  key?: (name: string, v: unknown) => { value: unknown } | undefined,
): unknown {
  const isContainer = (v: unknown): v is object => v !== null && typeof v === 'object' && !(v instanceof Date);
  if (!isContainer(value)) return leaf(value);
  const root: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  const stack: [object, Record<string, unknown> | unknown[], number][] = [[value, root, 1]];
  while (stack.length) {
    const [src, dst, d] = stack.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(src) ? src.map((v, i) => [i, v]) : Object.entries(src);
    for (const [k, v] of entries) {
      let out: unknown;
      const special = typeof k === 'string' ? key?.(k, v) : undefined;
      if (special) out = special.value;
      else if (!isContainer(v)) out = leaf(v, dst, k);
      else if (d >= max) out = TOO_DEEP(max);
      else {
        const child: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
        stack.push([v, child, d + 1]);
        out = child;
      }
      if (Array.isArray(dst)) dst.push(out);
      else if (k === '__proto__') Object.defineProperty(dst, k, { value: out, enumerable: true, writable: true, configurable: true });
      else dst[k as string] = out;
    }
  }
  return root;
}

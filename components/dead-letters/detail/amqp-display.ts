// Turns the drain's tagged JSON encoding of AMQP values (lib/bus/amqp-values.ts: {"$bytes": b64},
// {"$timestamp": s}, {"$long": "…"}, …) into plain text for display. Text only: whatever a
// header holds is shown, never interpreted.
export interface DisplayValue {
  text: string;
  /** the AMQP type when it is not plain JSON (bytes, timestamp, long, …) */
  type?: string;
}

function b64ToBytes(b64: string): Uint8Array {
  try {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return new Uint8Array();
  }
}

export function bytesToText(bytes: Uint8Array): string | null {
  try {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return /[\u0000-\u0008\u000e-\u001f]/.test(s) ? null : s;
  } catch {
    return null;
  }
}

export const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/** The plain JSON value behind a tagged one (for nesting inside tables and arrays). */
export function untag(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(untag);
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0].startsWith('$')) return displayValue(value).text;
  return Object.fromEntries(keys.map((k) => [k, untag(o[k])]));
}

export function displayValue(value: unknown): DisplayValue {
  if (value === null) return { text: 'null' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return { text: String(value) };
  if (typeof value !== 'object') return { text: typeof value }; // undefined; JSON holds nothing else
  if (Array.isArray(value)) return { text: JSON.stringify(untag(value), null, 2), type: 'array' };
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const v = o[keys[0]];
    switch (keys[0]) {
      case '$bytes': {
        const bytes = b64ToBytes(String(v));
        const text = bytesToText(bytes);
        return { text: text ?? toHex(bytes), type: `bytes (${bytes.length})${text === null ? ' hex' : ''}` };
      }
      case '$str':
        return { text: new TextDecoder().decode(b64ToBytes(String(v))), type: 'string with NUL' };
      case '$timestamp': {
        const s = Number(v);
        const d = new Date(s * 1000);
        return { text: Number.isNaN(d.getTime()) ? String(v) : `${d.toISOString()} (${s})`, type: 'timestamp' };
      }
      case '$long':
        return { text: String(v), type: 'long' };
      case '$num':
        return { text: String(v), type: 'number' };
      case '$undefined':
        return { text: 'undefined', type: 'void' };
      case '$decimal': {
        const d = untag(v) as { places?: number; digits?: number } | string;
        if (d && typeof d === 'object' && typeof d.places === 'number' && typeof d.digits === 'number') {
          return { text: (d.digits / 10 ** d.places).toString(), type: 'decimal' };
        }
        return { text: JSON.stringify(d), type: 'decimal' };
      }
      case '$typed': {
        const t = v as { type?: unknown; value?: unknown };
        return { text: displayValue(t?.value).text, type: typeof t?.type === 'string' ? t.type : 'typed' };
      }
      case '$table': {
        const entries = Array.isArray(v) ? (v as [unknown, unknown][]) : [];
        const obj = Object.fromEntries(entries.map(([k, x]) => [displayValue(k).text, untag(x)]));
        return { text: JSON.stringify(obj, null, 2), type: 'table' };
      }
    }
  }
  return { text: JSON.stringify(untag(value), null, 2), type: 'table' };
}

/** Entries of a stored properties/headers object, a "$table" one included. */
export function tableEntries(table: Record<string, unknown>): [string, unknown][] {
  const keys = Object.keys(table);
  if (keys.length === 1 && keys[0] === '$table' && Array.isArray(table.$table)) {
    return (table.$table as [unknown, unknown][]).map(([k, v]) => [displayValue(k).text, v]);
  }
  return keys.map((k) => [k, table[k]]);
}

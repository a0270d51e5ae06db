// JSON.stringify(value, null, 2) with a bound on the text it makes. Pretty-printing multiplies a
// deep value's size by its depth: a 918 KB JSONata result nested 250 deep became a 232 M
// character string (1.3 s each on the event loop; twenty samples of a preview took the server out
// of memory: found by an adversarial probe). This stops as soon as the text passes `maxChars`.
// For values read from JSON (plain objects, arrays, strings, numbers, booleans, null).

class TooLong extends Error {}

/** The value pretty-printed as JSON.stringify(value, null, 2) does, or null past `maxChars` characters (or holding a container nested past `maxDepth`: the outermost is at 0). */
export function prettyJson(value: unknown, maxChars: number, maxDepth = 512): string | null {
  const parts: string[] = [];
  let length = 0;
  const put = (s: string) => {
    length += s.length;
    if (length > maxChars) throw new TooLong();
    parts.push(s);
  };
  const write = (v: unknown, indent: string, depth: number): void => {
    if (v === null || typeof v !== 'object') {
      put(JSON.stringify(v) ?? 'null');
      return;
    }
    if (depth > maxDepth) throw new TooLong();
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return put('[]');
      put('[');
      for (let i = 0; i < v.length; i++) {
        put(i === 0 ? `\n${inner}` : `,\n${inner}`);
        write(v[i] === undefined || typeof v[i] === 'function' ? null : v[i], inner, depth + 1);
      }
      put(`\n${indent}]`);
      return;
    }
    const keys = Object.keys(v).filter((k) => {
      const x = (v as Record<string, unknown>)[k];
      return x !== undefined && typeof x !== 'function';
    });
    if (keys.length === 0) return put('{}');
    put('{');
    keys.forEach((k, i) => {
      put(`${i === 0 ? '\n' : ',\n'}${inner}${JSON.stringify(k)}: `);
      write((v as Record<string, unknown>)[k], inner, depth + 1);
    });
    put(`\n${indent}}`);
  };
  try {
    write(value, '', 0);
  } catch (err) {
    if (err instanceof TooLong) return null;
    throw err;
  }
  return parts.join('');
}

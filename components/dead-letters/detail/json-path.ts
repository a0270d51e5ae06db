// JSON paths of contract violations ("$.data.email", "$.items[0].id", "$['odd key']") as
// segment lists, and the key the JSON tree uses for a node.
export type Segment = string | number;

export function parseJsonPath(path: string): Segment[] {
  const out: Segment[] = [];
  let s = path.trim();
  if (s.startsWith('$')) s = s.slice(1);
  const re = /^(?:\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;
  while (s.length) {
    const m = re.exec(s);
    if (!m) {
      // not a path we understand: keep the rest as one key so the violation still shows
      out.push(s.replace(/^\./, ''));
      break;
    }
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push((m[3] ?? m[4]).replace(/\\(.)/g, '$1'));
    s = s.slice(m[0].length);
  }
  return out;
}

export const pathKey = (segments: Segment[]) => JSON.stringify(segments.map(String));

/** The deepest existing node on the path: a violation about a missing field marks its parent. */
export function deepestExisting(root: unknown, segments: Segment[]): Segment[] {
  let node = root;
  const found: Segment[] = [];
  for (const seg of segments) {
    if (node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, String(seg))) {
      node = (node as Record<string, unknown>)[String(seg)];
      found.push(seg);
    } else break;
  }
  return found;
}

// Where each node of a JSON text sits: maps contract violations ("$.data.email") to text ranges
// so the editor can underline them. A small tolerant scanner of its own (JSON.parse keeps no
// positions); on a syntax error it returns what it found up to there.
import { parseJsonPath, pathKey, type Segment } from '@/components/dead-letters/detail/json-path';

export interface Span {
  from: number;
  to: number;
}

interface Node {
  value: Span;
  /** the "key" of an object member, for marking a member rather than its whole value */
  key?: Span;
}

export function jsonPositions(text: string): Map<string, Node> {
  const out = new Map<string, Node>();
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = (): never => {
    throw new Error('syntax');
  };
  const str = (): string => {
    const start = i;
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: Segment[], key?: Span): void => {
    ws();
    const from = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          const kFrom = i;
          const k = str();
          const kSpan = { from: kFrom, to: i };
          ws();
          if (text[i] !== ':') fail();
          i++;
          value([...path, k], kSpan);
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else fail();
        }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else
        for (let n = 0; ; n++) {
          value([...path, n]);
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else fail();
        }
    } else if (c === '"') str();
    else {
      const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
    out.set(pathKey(path), { value: { from, to: i }, key });
  };
  try {
    value([]);
  } catch {
    /* partial map: enough to place what we can */
  }
  return out;
}

/**
 * The text range for a violation at `path`: the value itself when it exists; for a missing
 * member ("is required"), its nearest existing ancestor's key (or the start of the document).
 */
export function rangeForPath(positions: Map<string, Node>, path: string): Span {
  const segments = parseJsonPath(path);
  for (let n = segments.length; n >= 0; n--) {
    const node = positions.get(pathKey(segments.slice(0, n)));
    if (!node) continue;
    if (n === segments.length) return node.value.to > node.value.from ? node.value : { from: node.value.from, to: node.value.from + 1 };
    return node.key ?? { from: node.value.from, to: Math.min(node.value.from + 1, node.value.to) };
  }
  return { from: 0, to: 0 };
}

// Where each node of a JSON text sits: maps contract violations ("$.data.email") to text ranges
// so the editor can underline them. Positions come from @codemirror/lang-json's syntax tree (a
// Lezer parse, the one the editor highlights with): incremental-safe, error-tolerant (a broken
// document still yields what precedes the break) and walked without recursion.
import { jsonLanguage } from '@codemirror/lang-json';
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

const VALUES = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null']);

/** Violations deeper than this are placed at their ancestor at this depth (keys stay short). */
export const MAX_POSITION_DEPTH = 256;

interface Container {
  kind: 'Object' | 'Array';
  /** pathKey of the container itself */
  key: string;
  depth: number;
  index: number;
  pendingKey?: { name: string; span: Span };
}

/** pathKey(segments.concat(seg)) from pathKey(segments), without rebuilding the whole list. */
function childKey(parent: string, seg: Segment): string {
  const item = JSON.stringify(String(seg));
  return parent === '[]' ? `[${item}]` : `${parent.slice(0, -1)},${item}]`;
}

function propertyName(raw: string): string {
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw.replace(/^"|"$/g, ''); // an unterminated name while typing
  }
}

export function jsonPositions(text: string): Map<string, Node> {
  const out = new Map<string, Node>();
  const stack: Container[] = [];
  jsonLanguage.parser.parse(text).iterate({
    enter(node) {
      const parent = stack[stack.length - 1];
      if (node.name === 'PropertyName') {
        if (parent?.kind === 'Object') parent.pendingKey = { name: propertyName(text.slice(node.from, node.to)), span: { from: node.from, to: node.to } };
        return false;
      }
      if (!VALUES.has(node.name)) return undefined; // JsonText, Property, punctuation, errors
      let key: string;
      let keySpan: Span | undefined;
      if (!parent) key = '[]';
      else if (parent.depth >= MAX_POSITION_DEPTH) return false;
      else if (parent.kind === 'Array') key = childKey(parent.key, parent.index++);
      else if (parent.pendingKey) {
        key = childKey(parent.key, parent.pendingKey.name);
        keySpan = parent.pendingKey.span;
        parent.pendingKey = undefined;
      } else return false; // a value without a name: error recovery, nothing to address it by
      if (!out.has(key)) out.set(key, { value: { from: node.from, to: node.to }, key: keySpan });
      if (node.name !== 'Object' && node.name !== 'Array') return false;
      stack.push({ kind: node.name, key, depth: (parent?.depth ?? 0) + 1, index: 0 });
      return undefined;
    },
    leave(node) {
      if (node.name === 'Object' || node.name === 'Array') stack.pop();
    },
  });
  return out;
}

/**
 * The text range for a violation at `path`: the value itself when it exists; for a missing
 * member ("is required"), its nearest existing ancestor's key (or the start of the document).
 */
export function rangeForPath(positions: Map<string, Node>, path: string): Span {
  const segments = parseJsonPath(path);
  for (let n = Math.min(segments.length, MAX_POSITION_DEPTH + 1); n >= 0; n--) {
    const node = positions.get(pathKey(segments.slice(0, n)));
    if (!node) continue;
    if (n === segments.length) return node.value.to > node.value.from ? node.value : { from: node.value.from, to: node.value.from + 1 };
    return node.key ?? { from: node.value.from, to: Math.min(node.value.from + 1, node.value.to) };
  }
  return { from: 0, to: 0 };
}

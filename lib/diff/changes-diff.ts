// The diff a bulk job's transformation made to one message, for its history (README, Fix a whole
// group): one line per changed JSON value, in the unified-diff form BodyDiff shows. Built from a
// structural comparison (linear in the body) rather than a line diff of two pretty-printed texts,
// which costs ~10x more per message and a bulk job computes one for every message it sends.
import jsonPatch from 'fast-json-patch';
import { editedBodyDiff } from './republish-diff';

/** Most changed values listed; the rest are counted. */
const MAX_LINES = 50;
/** Longest value shown, in characters. */
const MAX_VALUE = 200;

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}… (${text.length} characters)` : text;
}

export function changesDiff(before: unknown, after: unknown, name = 'body'): string {
  if (!isContainer(before) || !isContainer(after)) return editedBodyDiff(JSON.stringify(before) ?? '', JSON.stringify(after) ?? '', name);
  const ops = jsonPatch.compare(before, after);
  const lines = [`--- ${name} (original)`, `+++ ${name} (transformed)`, `@@ ${ops.length} change${ops.length === 1 ? '' : 's'} @@`];
  for (const op of ops.slice(0, MAX_LINES)) {
    if (op.op === 'remove' || op.op === 'replace') lines.push(`-${op.path}: ${show(jsonPatch.getValueByPointer(before, op.path))}`);
    if (op.op === 'add' || op.op === 'replace') lines.push(`+${op.path}: ${show(op.value)}`);
  }
  if (ops.length > MAX_LINES) lines.push(` … and ${ops.length - MAX_LINES} more`);
  return lines.join('\n') + '\n';
}

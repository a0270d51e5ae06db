// The bulk transform builder for the common fixes (README, Fix a whole group): a list of steps an
// operator fills in with dotted field names ("data.totalAmount") compiled to what POST /api/bulk
// takes. Steps JSON Patch can say (set, remove, rename, set version) become a JSON Patch, which
// reads plainly in the review; a conversion has no JSON Patch form, so a list holding one becomes
// a single JSONata expression instead: the same steps, each one transform (`| path | update |`)
// chained with `~>`. Pure: the browser compiles as the operator types, the tests prove the output.
//
// The two forms differ on a missing field: a JSON Patch `remove` or `move` of a field that is not
// there fails (the preview counts it as a transform error), while a JSONata transform of a parent
// that is not there changes nothing. The preview shows which one happened before anything is sent.
import type { BulkTransform, JsonPatchOperation } from '@/lib/schemas/bulk';

export const STEP_KINDS = ['set', 'remove', 'rename', 'to-number', 'to-string', 'set-version'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export type BuilderStep =
  /** `value` is JSON text as typed: "abc" with its quotes, 12.5, true, null, {…} */
  | { kind: 'set'; path: string; value: string }
  | { kind: 'remove'; path: string }
  /** `to` is the new name, or a dotted path with the same parent as `from` */
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'to-number'; path: string }
  | { kind: 'to-string'; path: string }
  /** the envelope's `version`, "<major>.<minor>" */
  | { kind: 'set-version'; value: string };

export const STEP_LABELS: Record<StepKind, string> = {
  set: 'Set field',
  remove: 'Remove field',
  rename: 'Rename field',
  'to-number': 'Convert to number',
  'to-string': 'Convert to string',
  'set-version': 'Set version',
};

/** A new step of `kind` with its fields empty (set version starts at the first minor of major 1). */
export function emptyStep(kind: StepKind): BuilderStep {
  switch (kind) {
    case 'set':
      return { kind, path: '', value: '' };
    case 'rename':
      return { kind, from: '', to: '' };
    case 'set-version':
      return { kind, value: '1.0' };
    default:
      return { kind, path: '' };
  }
}

/** What is wrong with one step, in words for the operator; `field` names the input to mark. */
export interface StepProblem {
  step: number;
  field: 'path' | 'value' | 'from' | 'to';
  message: string;
}

export type CompileResult = { ok: true; transform: BulkTransform } | { ok: false; problems: StepProblem[] };

const VERSION = /^\d{1,6}\.\d{1,6}$/;

/**
 * The segments of a dotted path, or why it cannot be one. Array positions are refused: JSON Patch
 * and JSONata address them differently ("/items/0" against "items[0]"), and a field named "0" is
 * rarer than a mistake; the JSONata and JSON Patch tabs reach them.
 */
export function parseFieldPath(path: string): { ok: true; segments: string[] } | { ok: false; message: string } {
  const trimmed = path.trim();
  if (!trimmed) return { ok: false, message: 'a field is required, e.g. data.totalAmount' };
  const segments = trimmed.split('.');
  if (segments.some((s) => s === '')) return { ok: false, message: `"${trimmed}" has an empty name between dots` };
  if (segments.some((s) => /^\d+$/.test(s))) return { ok: false, message: `"${trimmed}": array positions are not supported here; use the JSONata tab` };
  // JSONata has no escape for a back-quote inside a quoted name.
  if (segments.some((s) => s.includes('`'))) return { ok: false, message: `"${trimmed}": a field name may not contain a back-quote` };
  return { ok: true, segments };
}

/** The JSON value a set step holds, or why its text is not JSON. */
function parseJsonValue(text: string): { ok: true; value: JsonValue } | { ok: false; message: string } {
  if (!text.trim()) return { ok: false, message: 'a value is required (JSON: "text" in double quotes, 12.5, true, null)' };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch {
    return { ok: false, message: `not valid JSON: ${text.trim().slice(0, 40)} (text goes in double quotes: "abc")` };
  }
}

/** Any JSON value, as a patch operation holds it. */
type JsonValue = Extract<JsonPatchOperation, { op: 'add' }>['value'];

/** A resolved step: paths split, the value parsed. */
type Resolved =
  | { kind: 'set'; segments: string[]; value: JsonValue }
  | { kind: 'remove'; segments: string[] }
  | { kind: 'rename'; parent: string[]; from: string; to: string }
  | { kind: 'to-number' | 'to-string'; segments: string[] };

function resolve(steps: BuilderStep[]): { resolved: Resolved[]; problems: StepProblem[] } {
  const resolved: Resolved[] = [];
  const problems: StepProblem[] = [];
  steps.forEach((step, i) => {
    const problem = (field: StepProblem['field'], message: string) => problems.push({ step: i, field, message });
    switch (step.kind) {
      case 'set': {
        const path = parseFieldPath(step.path);
        const value = parseJsonValue(step.value);
        if (!path.ok) problem('path', path.message);
        if (!value.ok) problem('value', value.message);
        if (path.ok && value.ok) resolved.push({ kind: 'set', segments: path.segments, value: value.value });
        return;
      }
      case 'set-version': {
        const value = step.value.trim();
        if (!VERSION.test(value)) problem('value', 'a version is "<major>.<minor>", e.g. 1.1');
        else resolved.push({ kind: 'set', segments: ['version'], value });
        return;
      }
      case 'rename': {
        const from = parseFieldPath(step.from);
        const to = parseFieldPath(step.to);
        if (!from.ok) problem('from', from.message);
        if (!to.ok) problem('to', to.message);
        if (!from.ok || !to.ok) return;
        const parent = from.segments.slice(0, -1);
        const name = from.segments[from.segments.length - 1];
        // "to" is the new name, or the whole new path: then it must stay in the same object
        // (moving a field elsewhere is a set and a remove, which the JSONata form could not chain
        // as one rename).
        const toParent = to.segments.length === 1 ? parent : to.segments.slice(0, -1);
        const newName = to.segments[to.segments.length - 1];
        if (toParent.join('.') !== parent.join('.')) problem('to', `a rename keeps the field in ${parent.length ? parent.join('.') : 'the top level'}`);
        else if (newName === name) problem('to', 'the new name is the same as the old one');
        else resolved.push({ kind: 'rename', parent, from: name, to: newName });
        return;
      }
      default: {
        const path = parseFieldPath(step.path);
        if (!path.ok) problem('path', path.message);
        else resolved.push({ kind: step.kind, segments: path.segments });
      }
    }
  });
  return { resolved, problems };
}

/** RFC 6901: "~" becomes "~0" first, then "/" becomes "~1". */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointer(segments: string[]): string {
  return segments.map((s) => '/' + escapePointerToken(s)).join('');
}

function toPatch(resolved: Resolved[]): JsonPatchOperation[] {
  return resolved.map((r): JsonPatchOperation => {
    switch (r.kind) {
      case 'set':
        // `add` replaces a field that is there and creates one that is not (its parent must exist).
        return { op: 'add', path: pointer(r.segments), value: r.value };
      case 'remove':
        return { op: 'remove', path: pointer(r.segments) };
      case 'rename':
        return { op: 'move', from: pointer([...r.parent, r.from]), path: pointer([...r.parent, r.to]) };
      default:
        throw new Error(`${r.kind} has no JSON Patch form`);
    }
  });
}

/** A field name in a JSONata path: back-quoted, so any name (spaces, dashes, keywords) reads as a name. */
function jsonataName(name: string): string {
  return '`' + name + '`';
}

/** The parent of a transform: `$` at the top level, else its back-quoted path. */
function jsonataParent(parent: string[]): string {
  return parent.length ? parent.map(jsonataName).join('.') : '$';
}

/** `| parent | update[, deletions] |`; keys of the update are JSON strings, which JSONata reads as strings too. */
function jsonataStep(r: Resolved): string {
  const key = JSON.stringify;
  switch (r.kind) {
    case 'set': {
      const name = r.segments[r.segments.length - 1];
      // A JSON literal is a JSONata literal (objects, arrays, strings with JSON escapes, numbers, true, false, null).
      return `| ${jsonataParent(r.segments.slice(0, -1))} | {${key(name)}: ${JSON.stringify(r.value)}} |`;
    }
    case 'remove': {
      const name = r.segments[r.segments.length - 1];
      return `| ${jsonataParent(r.segments.slice(0, -1))} | {}, [${key(name)}] |`;
    }
    case 'rename':
      return `| ${jsonataParent(r.parent)} | {${key(r.to)}: ${jsonataName(r.from)}}, [${key(r.from)}] |`;
    case 'to-number':
    case 'to-string': {
      const name = r.segments[r.segments.length - 1];
      const fn = r.kind === 'to-number' ? '$number' : '$string';
      // A missing field stays missing: $number(undefined) is undefined, which the update leaves out.
      return `| ${jsonataParent(r.segments.slice(0, -1))} | {${key(name)}: ${fn}(${jsonataName(name)})} |`;
    }
  }
}

/**
 * The steps as one transform: a JSON Patch while every step has a JSON Patch form, else one
 * JSONata expression; or the problems of every step at once, so the form can mark them all.
 */
export function compileSteps(steps: BuilderStep[]): CompileResult {
  if (steps.length === 0) return { ok: false, problems: [{ step: -1, field: 'path', message: 'add at least one step' }] };
  const { resolved, problems } = resolve(steps);
  if (problems.length) return { ok: false, problems };
  if (resolved.every((r) => r.kind !== 'to-number' && r.kind !== 'to-string')) {
    return { ok: true, transform: { kind: 'patch', operations: toPatch(resolved) } };
  }
  return { ok: true, transform: { kind: 'jsonata', expression: ['$', ...resolved.map(jsonataStep)].join(' ~> ') } };
}

/** One line saying what a transform does, for the job's progress and the review. */
export function describeTransform(transform: BulkTransform): string {
  if (transform.kind === 'jsonata') {
    const oneLine = transform.expression.replace(/\s+/g, ' ');
    return `JSONata: ${oneLine.length > 120 ? oneLine.slice(0, 119) + '…' : oneLine}`;
  }
  const parts = transform.operations.map((o) => {
    switch (o.op) {
      case 'add':
      case 'replace':
        return `set ${o.path} = ${truncate(JSON.stringify(o.value) ?? 'null', 40)}`;
      case 'remove':
        return `remove ${o.path}`;
      case 'move':
        return `move ${o.from} → ${o.path}`;
      case 'copy':
        return `copy ${o.from} → ${o.path}`;
      case 'test':
        return `test ${o.path} = ${truncate(JSON.stringify(o.value) ?? 'null', 40)}`;
    }
  });
  const shown = parts.slice(0, 4).join('; ');
  return `JSON Patch: ${shown}${parts.length > 4 ? `; and ${parts.length - 4} more` : ''}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

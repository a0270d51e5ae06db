// The diff of an edited body against the original, the same in the editor (before sending) and
// in the audit log. Two JSON texts are compared pretty-printed, so reformatting a compact body
// in the editor does not turn every line into a change; anything else is compared as text.
// Myers' diff is quadratic in the worst case (a 35 KB edit once blocked the event loop 7 s), so it
// runs with a size cap, an edit-length cap and a time limit, and past them the diff is a plain
// "Too large to diff ..." line instead (isDiffTooLarge tells the two apart).
import { formatPatch, structuredPatch } from 'diff';
import { jsonTextDepth } from '@/lib/cap-depth';
import { prettyJson } from './pretty-json';

/** Bodies over this (either side, UTF-16 units) are not diffed at all. */
export const MAX_DIFF_INPUT = 256 * 1024;
/** Most lines added plus removed a diff may have. */
export const MAX_DIFF_EDIT_LENGTH = 2000;
/** Longest a diff may run, in milliseconds. */
export const DIFF_TIMEOUT_MS = 25;
/** Deeper JSON is compared as text: JSON.stringify would overflow the stack (slowly) on it. */
const MAX_PRETTY_DEPTH = 512;

const TOO_LARGE_PREFIX = 'Too large to diff';

/** The text pretty-printed; null if it is not JSON, or pretty-printed would pass MAX_DIFF_INPUT (then the texts are compared as they are). */
function pretty(text: string): string | null {
  if (jsonTextDepth(text) > MAX_PRETTY_DEPTH) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // not JSON
  }
  // bounded: a 256 KB body 510 deep was 130 M characters pretty-printed (1.1 s on the event loop, found by a probe)
  const out = prettyJson(value, MAX_DIFF_INPUT, MAX_PRETTY_DEPTH);
  return out === null ? null : `${out}\n`;
}

const kb = (s: string) => `${Math.ceil(s.length / 1024)} KB`;

/**
 * The message stored and shown instead of a diff past the limits, saying which: a body over
 * MAX_DIFF_INPUT is never compared (one space added to a 1 MB body was said to "differ too
 * much", found by an adversarial probe); bodies under it whose changes pass the caps differ too much.
 */
export function tooLargeToDiff(original: string, edited: string, compared = true): string {
  if (!compared)
    return `${TOO_LARGE_PREFIX}: the original (${kb(original)}) or the edited body (${kb(edited)}) is over ${MAX_DIFF_INPUT / 1024} KB, past which bodies are not compared line by line.`;
  return `${TOO_LARGE_PREFIX}: the original (${kb(original)}) and the edited body (${kb(edited)}) differ too much to show line by line.`;
}

export function isDiffTooLarge(diff: string): boolean {
  return diff.startsWith(TOO_LARGE_PREFIX);
}

export function editedBodyDiff(original: string, edited: string, name = 'body'): string {
  if (original.length > MAX_DIFF_INPUT || edited.length > MAX_DIFF_INPUT) return tooLargeToDiff(original, edited, false);
  const a = pretty(original);
  const b = pretty(edited);
  const [left, right] = a !== null && b !== null ? [a, b] : [original, edited];
  if (left.length > MAX_DIFF_INPUT || right.length > MAX_DIFF_INPUT) return tooLargeToDiff(original, edited, false);
  const patch = structuredPatch(`${name} (original)`, `${name} (edited)`, left, right, undefined, undefined, {
    context: 3,
    maxEditLength: MAX_DIFF_EDIT_LENGTH,
    timeout: DIFF_TIMEOUT_MS,
  });
  return patch ? formatPatch(patch) : tooLargeToDiff(original, edited);
}

// The diff of an edited body against the original, the same in the editor (before sending) and
// in the audit log. Two JSON texts are compared pretty-printed, so reformatting a compact body
// in the editor does not turn every line into a change; anything else is compared as text.
import { createTwoFilesPatch } from 'diff';

function pretty(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2) + '\n';
  } catch {
    return null;
  }
}

export function editedBodyDiff(original: string, edited: string, name = 'body'): string {
  const a = pretty(original);
  const b = pretty(edited);
  const [left, right] = a !== null && b !== null ? [a, b] : [original, edited];
  return createTwoFilesPatch(`${name} (original)`, `${name} (edited)`, left, right, undefined, undefined, { context: 3 });
}

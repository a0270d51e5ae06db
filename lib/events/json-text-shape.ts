// The shape of JSON text before anything parses it: how deep its brackets nest and how many
// values its containers hold. Used to refuse or bound what would be costly to parse (a request
// body, a message body: lib/events/validate.ts, lib/cap-depth.ts).

/**
 * The nesting of `{`/`[` in JSON text and how many values its containers hold (commas outside
 * string literals, plus one per container), in one linear pass, before anything parses it.
 */
export function jsonTextShape(text: string): { depth: number; values: number } {
  let depth = 0;
  let max = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 44) values++;
    else if (c === 123 || c === 91) {
      values++;
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return { depth: max, values };
}

// The envelope of a JSON body too big to parse (lib/events/validate.ts, MAX_PARSED_VALUES): one
// linear pass over the text that checks it is JSON as JSON.parse would, and keeps only the string
// members of its top level and of its top-level `metadata` object (eventId, eventType, version,
// correlationId), last one winning as in JSON.parse. No recursion, no value built but those
// strings, never throws.
// `prefix`: the text is only the beginning of a body too big to read whole (validate.ts,
// validateBody's maxBytes): running off its end is no error, the members read until there are
// returned (`complete: false`); anything malformed before the end still is one.

export type EnvelopeScan =
  | { json: false; error: string }
  | { json: true; object: false }
  | { json: true; object: true; members: Record<string, string>; metadata: Record<string, string> | null; complete: boolean };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
/** A character a number may hold, and a whole number (JSON's grammar): for a prefix's last value. */
const NUMBER_CHAR = /[-+.0-9eE]/;
const WHOLE_NUMBER = new RegExp(`^${NUMBER.source}$`);

/** stringEnd: the text ends inside the literal (not malformed as far as it goes). */
const CUT = -2;

/** The end (exclusive) of the string literal opening at `at`, -1 when it is not a valid one, CUT when the text ends inside it. */
function stringEnd(text: string, at: number): number {
  for (let k = at + 1; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 34) return k + 1;
    if (c < 0x20) return -1; // a raw control character
    if (c === 92) {
      const e = text[k + 1];
      if (e === undefined) return CUT;
      if (e === 'u') {
        const hex = text.slice(k + 2, k + 6);
        if (!HEX4.test(hex)) return k + 2 + hex.length === text.length && /^[0-9a-fA-F]*$/.test(hex) ? CUT : -1;
        k += 5;
      } else if ('"\\/bfnrt'.includes(e)) k++;
      else return -1;
    }
  }
  return CUT;
}

const OBJECT = 1;
const ARRAY = 2;

export function scanEnvelope(text: string, { prefix = false }: { prefix?: boolean } = {}): EnvelopeScan {
  const n = text.length;
  const fail = (at: number, what: string): EnvelopeScan => ({ json: false, error: `${what} at position ${at}` });
  const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
  const stack: number[] = [];
  const members: Record<string, string> = Object.create(null);
  let metadata: Record<string, string> | null = null;
  /** the key of the top level's member being read, and whether its value is the metadata object */
  let topKey: string | null = null;
  let inMetadata = false;
  let innerKey: string | null = null;
  let topObject = false;
  let i = 0;
  // what may come next: a value, an object's key (or its end), a ':', a ',' (or the end)
  let expect = 'value' as 'value' | 'key-or-end' | 'key' | 'colon' | 'comma-or-end' | 'value-or-end';

  /** the container's closing bracket at i: a value ended, a ',' or its own container's end comes next */
  const closeContainer = () => {
    stack.pop();
    if (stack.length === 1) inMetadata = false;
    i++;
    expect = 'comma-or-end';
  };
  /** where the text ends mid-value: the envelope read so far, when the text is a prefix */
  // (a prefix of white space alone has begun no value yet: read as an object whose members are still to come)
  const cut = (at: number, what: string): EnvelopeScan =>
    !prefix
      ? fail(at, what)
      : topObject || (stack.length === 0 && expect === 'value' && at === n)
        ? { json: true, object: true, members, metadata, complete: false }
        : { json: true, object: false };
  const literal = (from: number, to: number): string | null => {
    try {
      return JSON.parse(text.slice(from, to)) as string;
    } catch {
      return null;
    }
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (stack.length === 0 && expect === 'comma-or-end') return fail(i, 'text after the JSON value');
    switch (expect) {
      case 'key-or-end':
      case 'key': {
        if (c === 125 && expect === 'key-or-end') {
          closeContainer();
          break;
        }
        if (c !== 34) return fail(i, 'a key expected');
        const end = stringEnd(text, i);
        if (end === CUT) return cut(i, 'a malformed string');
        if (end < 0) return fail(i, 'a malformed string');
        if (stack.length === 1) topKey = literal(i, end);
        else if (inMetadata && stack.length === 2) innerKey = literal(i, end);
        i = end;
        expect = 'colon';
        break;
      }
      case 'colon':
        if (c !== 58) return fail(i, "':' expected");
        i++;
        expect = 'value';
        break;
      case 'comma-or-end':
        if (c === 44) {
          i++;
          expect = stack[stack.length - 1] === OBJECT ? 'key' : 'value';
        } else if (c === 125 && stack[stack.length - 1] === OBJECT) {
          closeContainer();
        } else if (c === 93 && stack[stack.length - 1] === ARRAY) {
          closeContainer();
        } else return fail(i, "',' or the end of a container expected");
        break;
      case 'value':
      case 'value-or-end': {
        if (c === 93 && expect === 'value-or-end') {
          closeContainer();
          break;
        }
        // a member of the top level: what it was is replaced by this value (JSON.parse keeps the last)
        const top = stack.length === 1 && stack[0] === OBJECT && topKey !== null ? topKey : null;
        const inner = inMetadata && stack.length === 2 && stack[1] === OBJECT && innerKey !== null ? innerKey : null;
        if (top !== null) {
          delete members[top];
          if (top === 'metadata') metadata = null;
        }
        if (inner !== null && metadata) delete metadata[inner];
        if (c === 34) {
          const end = stringEnd(text, i);
          if (end === CUT) return cut(i, 'a malformed string');
          if (end < 0) return fail(i, 'a malformed string');
          if (top !== null || inner !== null) {
            const v = literal(i, end);
            if (v !== null && top !== null) members[top] = v;
            if (v !== null && inner !== null && metadata) metadata[inner] = v;
          }
          i = end;
          expect = 'comma-or-end';
        } else if (c === 123 || c === 91) {
          if (stack.length === 0) topObject = c === 123;
          if (top === 'metadata' && c === 123) {
            metadata = Object.create(null) as Record<string, string>;
            inMetadata = true;
          }
          stack.push(c === 123 ? OBJECT : ARRAY);
          i++;
          expect = c === 123 ? 'key-or-end' : 'value-or-end';
        } else if (prefix && ['true', 'null', 'false'].some((word) => text.length - i < word.length && word.startsWith(text.slice(i)))) {
          return cut(i, 'a value expected');
        } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
          i += 4;
          expect = 'comma-or-end';
        } else if (text.startsWith('false', i)) {
          i += 5;
          expect = 'comma-or-end';
        } else {
          // a number the prefix's end cuts ("-", "1.", "2e+"): its characters run to the end and are a
          // number, or one once a digit is added (only then: "1.2." or "01" stay errors)
          if (prefix) {
            let j = i;
            while (j < n && NUMBER_CHAR.test(text[j])) j++;
            if (j === n) {
              const rest = text.slice(i);
              if (WHOLE_NUMBER.test(rest) || WHOLE_NUMBER.test(`${rest}0`)) return cut(i, 'a value expected');
            }
          }
          NUMBER.lastIndex = i;
          if (!NUMBER.test(text)) return fail(i, 'a value expected');
          i = NUMBER.lastIndex;
          expect = 'comma-or-end';
        }
        break;
      }
    }
  }
  if (stack.length > 0 || expect !== 'comma-or-end') return cut(n, 'the text ends inside a value');
  return topObject ? { json: true, object: true, members, metadata, complete: true } : { json: true, object: false };
}

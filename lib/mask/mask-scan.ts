// The linear scanners behind viewer masking. Message content is whatever a platform service
// produced (120 KB of letters, base64url blobs, 10,000-deep JSON), so nothing here runs a
// backtracking regex over it or recurses: each character is looked at a bounded number of times.
// Pure functions: lib/server/auth/mask.ts applies them to API responses, lib/mask/viewer-search.ts
// to the text viewers' full-text search indexes.

const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
/** [A-Za-z0-9._%+-]: the local part of an address */
const isLocal = (c: number) => isAlpha(c) || isDigit(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
/** [A-Za-z0-9.-]: the domain of an address */
const isDomain = (c: number) => isAlpha(c) || isDigit(c) || c === 46 || c === 45;
const isSpace = (c: number) =>
  c === 32 ||
  c === 9 ||
  c === 10 ||
  c === 13 ||
  c === 12 ||
  c === 11 ||
  c === 0xa0 ||
  c === 0xfeff ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029;

/** First and last code point of `text` (not half of a surrogate pair). */
function firstChar(text: string): string {
  return String.fromCodePoint(text.codePointAt(0) ?? 0x3f);
}
function lastChar(text: string): string {
  const c = text.charCodeAt(text.length - 1);
  return c >= 0xdc00 && c <= 0xdfff && text.length > 1 ? text.slice(-2) : text.slice(-1);
}

/** "jane@example.com" -> "j***@e***.com" (the domain's last label kept). */
function maskAddress(local: string, domain: string): string {
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  return `${local ? firstChar(local) : ''}***@${host ? firstChar(host) : ''}***${dot > 0 ? domain.slice(dot) : ''}`;
}

/** One scalar as a viewer sees it: an address as j***@e***.com, else first and last character. */
export function maskScalar(text: string): string {
  const at = text.indexOf('@');
  if (at > 0 && at < text.length - 1 && text.indexOf('@', at + 1) === -1) {
    let blank = false;
    for (let i = 0; i < text.length && !blank; i++) blank = isSpace(text.charCodeAt(i));
    if (!blank) return maskAddress(text.slice(0, at), text.slice(at + 1));
  }
  return text.length <= 4 ? '***' : `${firstChar(text)}***${lastChar(text)}`;
}

/**
 * Decides when a long scan should let the event loop run (maskTextAsync): every few hundred
 * steps it looks at the clock, and says "yield" once the current slice is over.
 */
export class Slicer {
  private steps = 0;
  private sliceStart = performance.now();
  constructor(private readonly sliceMs = Infinity) {}
  due(): boolean {
    if (this.sliceMs === Infinity || (++this.steps & 0xff) !== 0) return false;
    if (performance.now() - this.sliceStart < this.sliceMs) return false;
    this.sliceStart = performance.now();
    return true;
  }
}

/** Runs a scan to its end without yielding to the event loop. */
function runSync<T>(steps: Generator<void, T, void>): T {
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/** Runs a scan, letting the event loop run (setImmediate) whenever it yields. */
async function runAsync<T>(steps: Generator<void, T, void>): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    r = steps.next();
  }
  return r.value;
}

/**
 * Every email address in free text masked; the same matches as
 * /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, found from each "@" outwards: the local part
 * is scanned back no further than the previous "@" or match, the domain forward to the next
 * character that cannot be in one, so the whole text is read a small constant number of times.
 */
export function scrubEmails(text: string): string {
  return text.indexOf('@') === -1 ? text : runSync(scrubEmailsSteps(text, new Slicer()));
}

function* scrubEmailsSteps(text: string, slicer: Slicer): Generator<void, string, void> {
  let at = text.indexOf('@');
  if (at === -1) return text;
  const n = text.length;
  let out = '';
  let copied = 0;
  let floor = 0;
  while (at !== -1) {
    if (slicer.due()) yield;
    let start = at;
    while (start > floor && isLocal(text.charCodeAt(start - 1))) start--;
    let runEnd = at + 1;
    while (runEnd < n && isDomain(text.charCodeAt(runEnd))) runEnd++;
    let end = -1;
    if (start < at) {
      // the last "." (not first in the domain) followed by two or more letters; the letters run on
      let letters = 0;
      for (let q = runEnd - 1; q >= at + 2; q--) {
        const c = text.charCodeAt(q);
        if (isAlpha(c)) letters++;
        else {
          if (c === 46 && letters >= 2) {
            end = q + 1 + letters;
            break;
          }
          letters = 0;
        }
      }
    }
    if (end === -1) {
      floor = at + 1;
      at = text.indexOf('@', at + 1);
      continue;
    }
    out += text.slice(copied, start) + maskAddress(text.slice(start, at), text.slice(at + 1, end));
    copied = end;
    floor = end;
    at = text.indexOf('@', end);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function decodeLiteral(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** Positions of the next line break at or after a point, kept between calls (each indexOf runs once per break). */
class LineBreaks {
  private lf = -2;
  private cr = -2;
  constructor(private readonly text: string) {}
  /** index of the first CR or LF at or after `i`, or -1 */
  next(i: number): number {
    if (this.lf !== -1 && this.lf < i) this.lf = this.text.indexOf('\n', i);
    if (this.cr !== -1 && this.cr < i) this.cr = this.text.indexOf('\r', i);
    if (this.lf === -1) return this.cr;
    if (this.cr === -1) return this.lf;
    return Math.min(this.lf, this.cr);
  }
}

/** End (index of the closing quote) of the string literal opening at `i`, or -1 if the line ends first. */
function literalEnd(text: string, i: number, breaks: LineBreaks): number {
  const lineEnd = breaks.next(i);
  let from = i + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q === -1 || (lineEnd !== -1 && lineEnd < q)) return -1;
    let k = q - 1;
    while (k > i && text.charCodeAt(k) === 92) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    from = q + 1;
  }
}

/** A bare JSON scalar a masked field may hold: number, true, false (null stays null). */
const isBare = (c: number) => isAlpha(c) || isDigit(c) || c === 43 || c === 45 || c === 46;

export interface MaskTextOptions {
  /** lower-cased property names whose values are masked */
  names: ReadonlySet<string>;
  /** also mask email addresses anywhere in the text */
  scrubEmails: boolean;
}

/**
 * One pass over text that may be JSON (a message body), JSON-like (an edit diff's lines, an error
 * message quoting a payload) or prose. A string literal followed by ":" whose name is in `names`
 * has its value masked: a string or number directly, an object or array every scalar inside it
 * (a depth counter, no stack: keys and structure are kept). Email addresses are scrubbed in
 * everything else. Layout is kept byte for byte apart from the masked values.
 */
export function maskText(text: string, options: MaskTextOptions): string {
  return runSync(maskTextSteps(text, options, new Slicer()));
}

/** Longest the async variant holds the event loop at a stretch. */
export const MASK_SLICE_MS = 10;

/** maskText for big texts: the same result, computed in slices of MASK_SLICE_MS with the event loop let through between them. */
export function maskTextAsync(text: string, options: MaskTextOptions, sliceMs = MASK_SLICE_MS): Promise<string> {
  return runAsync(maskTextSteps(text, options, new Slicer(sliceMs)));
}

function* maskTextSteps(text: string, options: MaskTextOptions, slicer: Slicer): Generator<void, string, void> {
  const { names, scrubEmails: scrub } = options;
  const n = text.length;
  const longestName = Math.max(0, ...[...names].map((s) => s.length));
  const breaks = new LineBreaks(text);
  let out = '';
  let segStart = 0; // start of plain text not yet copied to out
  function* replace(from: number, to: number, replacement: string): Generator<void, void, void> {
    if (from > segStart) out += scrub ? yield* scrubEmailsSteps(text.slice(segStart, from), slicer) : text.slice(segStart, from);
    out += replacement;
    segStart = to;
  }
  let maskDepth = 0; // > 0: inside a masked object/array, this many levels deep
  let pending = false; // a masked name and its ":" were seen: the next value is masked
  let i = 0;
  while (i < n) {
    if (slicer.due()) yield;
    if (!pending && maskDepth === 0) {
      // nothing is being masked: only the next string literal can matter
      const q = text.indexOf('"', i);
      if (q === -1) break;
      i = q;
    }
    const c = text.charCodeAt(i);
    if (c === 34) {
      const j = literalEnd(text, i, breaks);
      if (j === -1) {
        // an unterminated quote: the rest of the line is plain text
        const lineEnd = breaks.next(i);
        pending = false;
        i = lineEnd === -1 ? n : lineEnd;
        continue;
      }
      let k = j + 1;
      while (k < n && isSpace(text.charCodeAt(k))) k++;
      const raw = text.slice(i, j + 1);
      if (k < n && text.charCodeAt(k) === 58) {
        // a property name: names are kept (email-scrubbed), a masked one masks what follows
        pending = maskDepth === 0 && raw.length <= 2 + longestName * 6 && names.has(decodeLiteral(raw).toLowerCase());
        if (scrub && raw.includes('@')) yield* replace(i, j + 1, JSON.stringify(yield* scrubEmailsSteps(decodeLiteral(raw), slicer)));
      } else if (pending || maskDepth > 0) {
        yield* replace(i, j + 1, JSON.stringify(maskScalar(decodeLiteral(raw))));
        pending = false;
      } else if (scrub && (raw.includes('@') || raw.includes('\\u0040'))) {
        const decoded = decodeLiteral(raw);
        const scrubbed = yield* scrubEmailsSteps(decoded, slicer);
        if (scrubbed !== decoded) yield* replace(i, j + 1, JSON.stringify(scrubbed));
      }
      i = j + 1;
      continue;
    }
    if (c === 123 || c === 91) {
      if (pending || maskDepth > 0) maskDepth++;
      pending = false;
    } else if (c === 125 || c === 93) {
      if (maskDepth > 0) maskDepth--;
      pending = false;
    } else if (isBare(c)) {
      let k = i + 1;
      while (k < n && isBare(text.charCodeAt(k))) k++;
      const token = text.slice(i, k);
      if (token === 'true' || token === 'false' || (c !== 43 && Number.isFinite(Number(token)))) {
        yield* replace(i, k, JSON.stringify(maskScalar(token)));
      }
      pending = false;
      i = k;
      continue;
    } else if (c !== 58 && !isSpace(c)) {
      pending = false;
    }
    i++;
  }
  if (n > segStart) out += scrub ? yield* scrubEmailsSteps(text.slice(segStart, n), slicer) : text.slice(segStart, n);
  return yield* maskEscapedNamesSteps(yield* maskQuotedNamesSteps(out, names, slicer), names, slicer);
}

/**
 * A second pass for what the first cannot see: a masked name and its value quoted in text whose
 * quotes do not pair up from the start of the line (an error message opening with a stray quote,
 * `"failed: {"paymentId":"pay_1"}`, read "failed: {" as one literal and left the id as written;
 * found by a property test). Masking is idempotent (a masked value masks to itself), so values the
 * first pass masked stay as they are. Each quote is tried once with a sticky expression without
 * nested repetition (its value is one line at most), between turns of the slicer: linear, and
 * the async variant still lets the event loop run.
 */
function* maskQuotedNamesSteps(text: string, names: ReadonlySet<string>, slicer: Slicer): Generator<void, string, void> {
  if (names.size === 0) return text;
  const pattern = new RegExp(`"(?:${nameAlternatives(names)})"[ \\t]*:[ \\t]*("(?:[^"\\\\\\r\\n]|\\\\.)*"|[A-Za-z0-9+\\-.]+)`, 'iy');
  return yield* replaceAtEach(text, '"', pattern, slicer, (m) => {
    const value = m[1];
    if (value === 'null') return null;
    return { keep: m[0].length - value.length, with: JSON.stringify(maskScalar(value.startsWith('"') ? decodeLiteral(value) : value)) };
  });
}

/**
 * A third pass: a masked name and its value in JSON held as a string inside JSON, its quotes
 * escaped (`{"payload":"{\\"paymentId\\":\\"pay_1\\"}"}`, as a producer that serialises twice
 * writes it): the first pass reads the payload as one literal and masks only the addresses in it
 * (found by a probe). One level of escaping, a value without escapes of its own (ids, numbers).
 */
function* maskEscapedNamesSteps(text: string, names: ReadonlySet<string>, slicer: Slicer): Generator<void, string, void> {
  if (names.size === 0) return text;
  const pattern = new RegExp(`\\\\"(?:${nameAlternatives(names)})\\\\"[ \\t]*:[ \\t]*(?:\\\\"([^"\\\\\\r\\n]*)\\\\"|([A-Za-z0-9+\\-.]+))`, 'iy');
  return yield* replaceAtEach(text, '\\"', pattern, slicer, (m) => {
    const quoted = m[1] !== undefined;
    const value = quoted ? m[1] : m[2];
    if (value === 'null') return null;
    // the masked value quoted, its quotes escaped as the text around it
    return { keep: m[0].length - value.length - (quoted ? 4 : 0), with: `\\"${maskScalar(value)}\\"` };
  });
}

/** The masked names as alternatives of a regular expression. */
const nameAlternatives = (names: ReadonlySet<string>) => [...names].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/**
 * Tries a sticky `pattern` once at each occurrence of `at` in `text` (between turns of the
 * slicer), and replaces what a match covers past its first `keep` characters by `with`: linear,
 * since the search goes on after each match. `replace` returns null to leave a match as it is.
 */
function* replaceAtEach(
  text: string,
  at: string,
  pattern: RegExp,
  slicer: Slicer,
  replace: (m: RegExpExecArray) => { keep: number; with: string } | null,
): Generator<void, string, void> {
  let out = '';
  let copied = 0;
  let q = text.indexOf(at);
  while (q !== -1) {
    if (slicer.due()) yield;
    pattern.lastIndex = q;
    const m = pattern.exec(text);
    if (!m) {
      q = text.indexOf(at, q + at.length);
      continue;
    }
    const end = q + m[0].length;
    const r = replace(m);
    if (r) {
      out += text.slice(copied, q + r.keep) + r.with;
      copied = end;
    }
    q = text.indexOf(at, end);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// What viewers' full-text search may match: the searchable text of a dead letter as a viewer sees
// it, with the fields of MASK_FIELDS and every email address masked (lib/mask/mask-scan.ts, the
// same scan that masks API responses). The search indexer (lib/bus/search-indexer.ts) stores a
// second document built from it, and viewers' searches read only that one: a viewer who guesses a
// masked address finds nothing by it, where searching the full document told them which record
// held it.
// The body and the error message are masked apart, as they are shown (one text joined on one line
// let an unterminated quote at the body's end swallow the error message's, which then went
// unmasked). A body cut to its first 8 KB for search is cut back to before what the cut left
// half-read: a string literal or a word it ends in (half an address is not recognised as one and
// would be indexed as written).
// A document is only valid for the masking it was built with: each carries its mask key, viewers'
// searches skip documents of another key, and the indexer rebuilds them (after MASK_FIELDS
// changed, or for documents from before viewers' documents existed).
import { maskText, type MaskTextOptions } from './mask-scan';

/**
 * Bumped whenever what viewers' documents hold changes (the masking, or how the text is cut), so
 * every document is rebuilt. 2: body and error message masked apart, a cut body cut back. 3: a
 * named value in text whose quotes do not pair up is masked too (mask-scan.ts maskQuotedNames).
 * 4: and one in JSON held as a string inside JSON, its quotes escaped (maskEscapedNames).
 */
const MASKING_VERSION = 4;

function names(fields: readonly string[]): Set<string> {
  return new Set(fields.map((f) => f.trim().toLowerCase()).filter(Boolean));
}

/** The masking a viewer document is built with, as a short stable key (the same for the same fields in any order or case). */
export function maskKey(fields: readonly string[]): string {
  return `v${MASKING_VERSION}:${[...names(fields)].sort().join(',')}`;
}

/** Options of maskText for viewers (and for their search text). */
export function viewerMaskOptions(fields: readonly string[]): MaskTextOptions {
  return { names: names(fields), scrubEmails: true };
}

/** The masking of MASK_FIELDS for viewers: its options, and the key of the documents built with it. */
export interface ViewerMasking {
  key: string;
  options: MaskTextOptions;
}

export function viewerMasking(fields: readonly string[]): ViewerMasking {
  return { key: maskKey(fields), options: viewerMaskOptions(fields) };
}

/** Characters that end a word: whitespace and JSON's structure. */
const BOUNDARY = new Set([' ', '\t', '\n', '\r', '{', '}', '[', ']', ',', ':', '"']);

/**
 * A text cut short (the first 8 KB of a body) without what the cut left half-read: a string
 * literal still open on the last line (literals never span lines in the scan) and a word the
 * text ends in. What is left is masked exactly as the same characters of the whole text are.
 */
export function withoutCutTail(text: string): string {
  const lineStart = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
  let open = -1;
  for (let i = lineStart; i < text.length; i++) {
    const c = text[i];
    if (open === -1) {
      if (c === '"') open = i;
    } else if (c === '\\') i++;
    else if (c === '"') open = -1;
  }
  let end = open === -1 ? text.length : open;
  while (end > 0 && !BOUNDARY.has(text[end - 1])) end--;
  return text.slice(0, end);
}

/**
 * The text of a viewer's document: the body's searchable text (`cut` when it is the start of a
 * longer body) and the error message, each masked as viewers are shown it.
 */
export function viewerSearchText(body: string, cut: boolean, errorMessage: string | null, options: MaskTextOptions): string {
  const shown = maskText(cut ? withoutCutTail(body) : body, options);
  return errorMessage ? `${shown}\n${maskText(errorMessage, options)}` : shown;
}

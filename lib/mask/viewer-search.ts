// What viewers' full-text search may match: the searchable text of a dead letter as a viewer sees
// it, with the fields of MASK_FIELDS and every email address masked (lib/mask/mask-scan.ts, the
// same scan that masks API responses). The search indexer (lib/bus/search-indexer.ts) stores a
// second document built from it, and viewers' searches read only that one: a viewer who guesses a
// masked address finds nothing by it, where searching the full document told them which record
// held it.
// A document is only valid for the masking it was built with: each carries its mask key, viewers'
// searches skip documents of another key, and the indexer rebuilds them (after MASK_FIELDS
// changed, or for documents from before viewers' documents existed).
import { maskText, type MaskTextOptions } from './mask-scan';

/** Bumped when the masking itself changes, so every document is rebuilt. */
const MASKING_VERSION = 1;

function names(fields: readonly string[]): Set<string> {
  return new Set(fields.map((f) => f.trim().toLowerCase()).filter(Boolean));
}

/** The masking a viewer document is built with, as a short stable key (the same for the same fields in any order or case). */
export function maskKey(fields: readonly string[]): string {
  return `v${MASKING_VERSION}:${[...names(fields)].sort().join(',')}`;
}

/** Options of maskText for viewers' search text. */
export function viewerMaskOptions(fields: readonly string[]): MaskTextOptions {
  return { names: names(fields), scrubEmails: true };
}

/** The search text as a viewer may search it; null when masking changes nothing (the full document serves). */
export function viewerSearchText(text: string, options: MaskTextOptions): string | null {
  const masked = maskText(text, options);
  return masked === text ? null : masked;
}

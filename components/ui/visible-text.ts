// Text from a message (a queue name, an error, a header, a body's strings) as an operator may
// safely read it: the characters that change how text around them reads, or hide in it, are
// shown by their code point. A right-to-left override made the error "evil" read "live", a body's
// "\u202Egnp.exe" read "exe.png", the x-death sentence run backwards, and a queue
// "payment-service\u202E" look exactly like "payment-service" (found by an adversarial probe).
// Display only: values used as filters, links or editor text stay as they are.

/**
 * Bidi embeddings, overrides and isolates, the bidi marks, the Arabic letter mark, the soft
 * hyphen, the combining grapheme joiner, zero-width space, word joiner and the invisible
 * operators, the Hangul fillers, the BOM, the Mongolian vowel separator, and the invisible tag
 * characters (U+E0000-E007F, which can spell hidden ASCII). The zero-width joiners (U+200C,
 * U+200D) and the variation selectors are left: scripts and emoji sequences need them.
 */
const HIDDEN = /[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\u{e0000}-\u{e007f}]/gu;

/** `text` with each hidden or direction-changing character written as ⟨U+202E⟩. Linear. */
export function visibleText(text: string): string {
  return text.replace(HIDDEN, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

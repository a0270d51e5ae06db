// A failure group named by what it is, the same everywhere (the /groups rows, the list's group
// chip, the bulk dialog): "type · queue · reason · error". The drain keys a group without an
// error message by its body's validation status (lib/groups/signature.ts: "valid", "invalid" …);
// that status is not an error, so such a group says "no error message" instead.
import { VALIDITY_VALUES } from '@/lib/schemas/dead-letters';
import { visibleText } from '@/components/ui/visible-text';

// lib/groups/signature.ts's UNKNOWN_TYPE and NONE, repeated: that module uses node:crypto, which
// has no place in the browser's bundle
const UNKNOWN_TYPE = '(unknown)';
const NONE = '(none)';

export interface GroupNameParts {
  eventType: string;
  queue: string;
  reason: string;
  signature: string;
}

/** error texts past this length end in "…" (the full one is in the row's title) */
export const GROUP_ERROR_MAX = 80;

const FALLBACKS: Record<string, string> = {
  valid: 'no error message',
  invalid: 'no error message, body breaks its contract',
  unparseable: 'no error message, body is not JSON',
  'unknown-type': 'no error message, unknown event type',
  'unsupported-version': 'no error message, unsupported event version',
  unreadable: 'no error message, message unreadable',
};

/** The group's error as an operator reads it: its normalised message, or why there is none. */
export function groupError(signature: string, max = GROUP_ERROR_MAX): string {
  const s = signature.trim();
  if (!s) return 'no error message';
  if (s in FALLBACKS && ((VALIDITY_VALUES as readonly string[]).includes(s) || s === 'unreadable')) return FALLBACKS[s];
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()} …` : s;
}

/** The parts of a group's name, in order, each readable alone. */
export function groupNameParts(g: GroupNameParts, max = GROUP_ERROR_MAX): [string, string, string, string] {
  // each part as a person may read it (hidden and direction-changing characters shown)
  return [
    g.eventType === UNKNOWN_TYPE || !g.eventType ? 'unknown type' : visibleText(g.eventType),
    g.queue === NONE || !g.queue ? 'no queue' : visibleText(g.queue),
    g.reason === NONE || !g.reason ? 'no reason' : visibleText(g.reason),
    visibleText(groupError(g.signature, max)),
  ];
}

/** "order.created · payment-service · rejected · payment gateway unavailable" */
export function groupName(g: GroupNameParts, max = GROUP_ERROR_MAX): string {
  return groupNameParts(g, max).join(' · ');
}

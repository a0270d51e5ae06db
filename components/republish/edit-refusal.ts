// What Edit & retry refuses before Review (for admins too): a body that is not JSON (there is
// nothing to diff or validate), and a changed eventId (consumers deduplicate by it and the drain
// keys the record by it: a new id would be a new event, not a retry of this one).

/** Why Review is refused, or null. */
export function editRefusal(lint: { syntaxError: string | null }, text: string, eventId: string | null): string | null {
  if (lint.syntaxError !== null) return `The body is not JSON (${lint.syntaxError}): fix it before Review.`;
  if (eventId === null) return null;
  let edited: unknown;
  try {
    edited = (JSON.parse(text) as { eventId?: unknown } | null)?.eventId;
  } catch {
    // unreachable: lint parsed the same text; nothing to compare then
    return null;
  }
  return edited === eventId ? null : `eventId must stay ${eventId}`;
}

// A promise awaited later, not now: marked handled so that failing before its turn does not
// count as an unhandled rejection (which ends the process); awaiting it still throws.
export function observed<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {
    /* observed here only; the awaiting caller gets the rejection */
  });
  return p;
}

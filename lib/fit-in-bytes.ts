// How many of a list's first items a batch takes when it is bounded by bytes as well as by count:
// the bulk runner's republish batches and the transform preview's reads.

/**
 * How many of the first items fit in `maxBytes` together (`sizes`: each item's bytes, in order):
 * at least one when there is one, however big it is alone.
 */
export function fitInBytes(sizes: readonly number[], maxBytes: number): number {
  let taken = 0;
  for (let held = 0; taken < sizes.length; taken++) {
    held += sizes[taken];
    if (taken > 0 && held > maxBytes) break;
  }
  return taken;
}

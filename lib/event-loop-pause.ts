// Long loops on the event loop (parsing, patching, diffing, reading messages) yield by time, not
// by count: one item's work is not its size (100 copies of a 230 KB value into a small body held
// the server's loop for a minute when the yields counted body bytes), and a count of items can be
// seconds of work when each is slow (the derivation of 200 messages whose bodies each gave zod
// 10,000 issues held the loop 6.4 s: an adversarial probe).

/** Longest the event loop is held between two yields, by default. */
export const YIELD_MS = 10;

/** A pause to await in a loop: it yields to the event loop once `yieldMs` have gone by since the last yield. */
export function pauser(yieldMs = YIELD_MS): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < yieldMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

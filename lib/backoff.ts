// Exponential backoff with jitter, for reconnecting to the broker and the database.
export function backoffDelay(attempt: number, minMs = 500, maxMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  // "equal jitter": never less than half the ceiling, so a flapping peer is not hammered.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Resolves after ms, or at once when signal aborts. The abort listener is removed when the timer
 * fires: the signal lives as long as its owner (a connection, a drainer), and a listener left
 * behind by every reconnect or retry would pile up on it.
 */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

// Exponential backoff with jitter, for reconnecting to the broker and the database.
export function backoffDelay(attempt: number, minMs = 500, maxMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  // "equal jitter": never less than half the ceiling, so a flapping peer is not hammered.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

// An abort signal that fires after `ms` (a TimeoutError, as AbortSignal.timeout's) or when `stop`
// fires, whichever comes first, held by a timer of our own until clear() is called.
// Not AbortSignal.any([AbortSignal.timeout(ms), stop]): on Node 20 nothing holds the inner timeout
// signal, a garbage collection can take it, and then it never fires. Found by a probe: a webhook
// receiver that never answered held a notification attempt for undici's own 300 s instead of
// NOTIFY_TIMEOUT_MS, and every channel's deliveries waited behind it.
export interface DeadlineSignal {
  signal: AbortSignal;
  /** stops the timer and the listener on `stop` (call it once the work is over) */
  clear(): void;
}

export function deadlineSignal(ms: number, stop?: AbortSignal): DeadlineSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  const onStop = () => controller.abort(stop?.reason);
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    },
  };
}

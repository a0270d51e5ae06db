// Runs a handler with a deadline. A handler cannot be killed, so it gets an AbortSignal to stop
// its own work; its promise is left to settle in the background, and the timeout error carries
// it (`work`), so the caller can tell when the handler really ended (process-delivery.ts keeps
// the event claimed until then).

export class HandlerTimeoutError extends Error {
  constructor(
    public readonly timeoutMs: number,
    /** the handler's own promise, still running at the deadline: settles when it really ends */
    public readonly work: Promise<unknown> = Promise.resolve(),
  ) {
    super(`handler timed out after ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

export async function withTimeout<T>(timeoutMs: number, run: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const work = Promise.resolve().then(() => run(controller.signal));
  work.catch(() => {
    /* a late rejection after the deadline must not be unhandled; the race below reports it in time */
  });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new HandlerTimeoutError(timeoutMs, work);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// Runs a handler with a deadline. A handler cannot be killed, so it gets an AbortSignal to stop
// its own work; its promise is left to settle in the background.

export class HandlerTimeoutError extends Error {
  constructor(public readonly timeoutMs: number) {
    super(`handler timed out after ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

export async function withTimeout<T>(timeoutMs: number, run: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new HandlerTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    const work = Promise.resolve().then(() => run(controller.signal));
    work.catch(() => {
      /* a late rejection after the deadline must not be unhandled; the race below reports it in time */
    });
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// Polls fn until ok(value), for tests that watch a background process (a bulk job, a drain):
// fails with what it was waiting for and the last value seen.
export async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, { timeoutMs = 45_000, everyMs = 25 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// Why a write failed decides what the drain does next: a transient failure (the connection, the
// server shutting down, a serialization conflict, a timeout, resources) is retried with backoff,
// the whole batch left unacked; a failure caused by the data itself will fail again however often
// it is retried, so the batch is split to find the message at fault, which is parked.

/** SQLSTATE classes (and codes) worth retrying as they are. */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58', 'HV']);
const TRANSIENT_CODES = new Set(['55P03', '55006', '25P02']);

const isSqlState = (code: unknown): code is string => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);

export function isTransientStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (isSqlState(code)) return TRANSIENT_CLASSES.has(code.slice(0, 2)) || TRANSIENT_CODES.has(code);
  // Errors our own code or pg's serializer throws for a value (e.g. an invalid Date) come back
  // the same on every try; sockets, pool timeouts and "Connection terminated" do not.
  if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) return false;
  return true;
}

/** "22008 timestamp out of range: ..." for logs, park reasons and unreadable records. */
export function storeErrorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return isSqlState(e?.code) ? `${e.code} ${message}` : message;
}

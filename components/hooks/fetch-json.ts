// Calls a JSON API route and checks the answer against the shared zod schema; API errors arrive
// as the envelope { error: { code, message, details } } and are thrown as ApiClientError.
import type { z } from 'zod';

export class ApiClientError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}

/**
 * "Invalid field: events" says where; the details say what is wrong there: shown together
 * ("Invalid field: events (choose at least one event)"), a few at most.
 */
function withFieldMessages(message: string, details: unknown): string {
  if (!Array.isArray(details)) return message;
  const said = details
    .filter((d): d is { field: string; message: string } => typeof d?.field === 'string' && typeof d?.message === 'string')
    .slice(0, 3)
    .map((d) => `${d.field}: ${d.message}`);
  return said.length ? `${message} (${said.join('; ')})` : message;
}

/** The one place that turns a fetch into parsed data or an ApiClientError (reads and writes). */
export async function requestJson<S extends z.ZodTypeAny>(url: string, schema: S, init: RequestInit = {}): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers }, cache: 'no-store' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiClientError(0, 'network', 'EventDesk did not answer: is the server running?');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body?.error;
    throw new ApiClientError(res.status, e?.code ?? 'http_' + res.status, withFieldMessages(e?.message ?? `HTTP ${res.status}`, e?.details), e?.details);
  }
  return schema.parse(body);
}

export function fetchJson<S extends z.ZodTypeAny>(url: string, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
  return requestJson(url, schema, { signal });
}

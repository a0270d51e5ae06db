// POST/PATCH/DELETE a JSON API route and check the answer against the shared zod schema; the
// error envelope is thrown as ApiClientError like fetchJson does for reads.
import type { z } from 'zod';
import { ApiClientError } from './fetch-json';

export async function sendJson<S extends z.ZodTypeAny>(
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  schema: S,
  body?: unknown,
): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiClientError(0, 'network', 'EventDesk did not answer: is the server running?');
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data?.error;
    throw new ApiClientError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `HTTP ${res.status}`, e?.details);
  }
  return schema.parse(data);
}

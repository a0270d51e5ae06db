// POST/PATCH/DELETE a JSON API route; errors are thrown as ApiClientError like fetchJson does.
import type { z } from 'zod';
import { requestJson } from './fetch-json';

export function sendJson<S extends z.ZodTypeAny>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, schema: S, body?: unknown): Promise<z.infer<S>> {
  return requestJson(url, schema, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

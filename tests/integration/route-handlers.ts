// Drives the real route handlers (app/api/**/route.ts) in this process against a test database:
// the same parse -> authorise -> query -> respond code the server runs, without a build, and with
// this process's event loop the one measured.
import { bearer, createTestToken, type TestRole } from '../helpers/auth';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

export interface RouteEnv {
  db: TestDatabase;
  tokens: Record<TestRole, Record<string, string>>;
}

/** Makes a database and points this process's settings at it; call before importing any route. */
export async function routeEnv(label: string): Promise<RouteEnv> {
  const db = await createTestDatabase(label);
  Object.assign(process.env, { DATABASE_URL: db.url, DRAIN: 'false', TAP: 'false', LOG_LEVEL: 'silent', NEXTAUTH_SECRET: 'test-secret-for-route-handlers' });
  const tokens = {
    viewer: bearer(await createTestToken(db.url, 'viewer')),
    operator: bearer(await createTestToken(db.url, 'operator')),
    admin: bearer(await createTestToken(db.url, 'admin')),
  };
  return { db, tokens };
}

export type Handler = (request: Request, context: { params: Promise<Record<string, unknown>> }) => Promise<Response>;

export interface CallOptions {
  headers?: Record<string, string>;
  body?: BodyInit | object;
  params?: Record<string, unknown>;
}

export async function call(handler: Handler, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof ReadableStream || typeof options.body === 'string' || options.body instanceof Uint8Array) body = options.body as BodyInit;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const request = new Request(`http://127.0.0.1:3000${path}`, {
    method,
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  });
  return handler(request, { params: Promise.resolve(options.params ?? {}) });
}

/** The response's envelope, or throws naming the status and body when it is not one. */
export async function envelope(res: Response): Promise<{ code: string; message: string; details?: unknown }> {
  const text = await res.text();
  const body = JSON.parse(text) as { error?: { code: string; message: string; details?: unknown } };
  if (!body.error || typeof body.error.code !== 'string') throw new Error(`${res.status} without the error envelope: ${text.slice(0, 300)}`);
  // a 400's details: one { field, message } per field at fault, always a list (README, HTTP API)
  const d = body.error.details;
  if (res.status === 400 && !(Array.isArray(d) && d.length > 0 && d.every((x) => typeof x?.field === 'string' && typeof x?.message === 'string')))
    throw new Error(`400 whose details are not a list of { field, message }: ${text.slice(0, 300)}`);
  return body.error;
}

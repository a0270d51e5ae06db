// Request parsing against the shared zod schemas (lib/schemas). Failures name the field.
import { z, type ZodError } from 'zod';
import { ApiError } from './errors';

export interface FieldError {
  field: string;
  message: string;
}

export function zodDetails(err: ZodError): FieldError[] {
  return err.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message }));
}

export function parseQuery<S extends z.ZodTypeAny>(request: Request, schema: S): z.infer<S> {
  const params = new URL(request.url).searchParams;
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    raw[key] = all.length > 1 ? all : all[0];
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const details = zodDetails(result.error);
    throw new ApiError('invalid_request', `Invalid query parameter: ${details.map((d) => d.field).join(', ')}`, details);
  }
  return result.data;
}

/** Largest JSON body a route accepts unless it says otherwise (an edited message body fits). */
export const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

export async function parseJsonBody<S extends z.ZodTypeAny>(
  request: Request,
  schema: S,
  maxBytes = MAX_JSON_BODY_BYTES,
): Promise<z.infer<S>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'Expected Content-Type: application/json');
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new ApiError('payload_too_large', `Body over ${maxBytes} bytes`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw new ApiError('payload_too_large', `Body over ${maxBytes} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ApiError('invalid_request', 'Body is not valid UTF-8 JSON', { field: '(body)', message: (err as Error).message });
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const details = zodDetails(result.error);
    throw new ApiError('invalid_request', `Invalid field: ${details.map((d) => d.field).join(', ')}`, details);
  }
  return result.data;
}

// Builds the OpenAPI 3.1 document of GET /api/openapi.json from the registry (registry.ts) and
// the zod schemas the routes parse with: z.toJSONSchema with io 'input' for what a client sends
// (defaults and coercions as the client sees them) and 'output' for what the API answers.
// Refinements and transforms have no JSON Schema form; their rules are in the descriptions.
import { z } from 'zod';
import { errorStatus, type ErrorCode } from '@/lib/api/errors';
import { MAX_JSON_BODY_BYTES } from '@/lib/api/parse';
import { apiRoutes, namedSchemas, TAGS, type Access, type OperationSpec, type RouteSpec, type SchemaName } from './registry';

export type JsonObject = Record<string, unknown>;

/** The error envelope every route answers in (lib/api/errors.ts). */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    /** e.g. the failing fields [{field, message}] of a 400, the violations of a 422 */
    details: z.unknown().optional(),
  }),
});

const ERROR_TEXT: Record<ErrorCode, string> = {
  invalid_request: 'invalid input; details name the fields',
  unauthorized: 'no valid session cookie or Bearer token',
  forbidden: 'the role is too low',
  not_found: 'not found',
  request_timeout: 'the body did not arrive within 30 s',
  conflict: 'conflict',
  payload_too_large: `a body over its limit (${MAX_JSON_BODY_BYTES / 1024 / 1024} MiB for JSON)`,
  unsupported_media_type: 'the body is not Content-Type: application/json',
  contract_violation: 'the body breaks its event contract',
  unprocessable: 'well-formed, but cannot be processed (the reason in the message)',
  rate_limited: 'too many requests',
  internal: 'unexpected error (no internals in the answer)',
  unavailable: 'the database or the broker is unavailable; retry shortly',
};

/** The shape of error.details where one is fixed. */
const ERROR_DETAILS: Partial<Record<ErrorCode, SchemaName>> = { contract_violation: 'ContractViolationDetails' };

export const ROLE_RANK: Record<string, number> = { viewer: 1, operator: 2, admin: 3 };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Every error an operation can give: the registry's own plus those its kind always gives. */
export function operationErrors(op: OperationSpec): Partial<Record<ErrorCode, string>> {
  const errors: Partial<Record<ErrorCode, string>> = {};
  if (op.access === 'viewer' || op.access === 'operator' || op.access === 'admin') {
    errors.unauthorized = ERROR_TEXT.unauthorized;
    if (ROLE_RANK[op.access] > ROLE_RANK.viewer) errors.forbidden = `needs the ${op.access} role`;
    if (op.method !== 'GET') errors.forbidden = `${errors.forbidden ? `${errors.forbidden}; or ` : ''}a cookie-authenticated write from another origin`;
  }
  if (op.access === 'metrics-token') errors.unauthorized = 'METRICS_TOKEN is set and the request does not bear it';
  if (op.query) errors.invalid_request = 'a query parameter is invalid; details name it';
  if (op.body) {
    errors.invalid_request = 'the body is invalid; details name the fields';
    errors.request_timeout = ERROR_TEXT.request_timeout;
    errors.payload_too_large = ERROR_TEXT.payload_too_large;
    errors.unsupported_media_type = ERROR_TEXT.unsupported_media_type;
  }
  if (op.access !== 'next-auth') {
    errors.internal = ERROR_TEXT.internal;
    errors.unavailable = ERROR_TEXT.unavailable;
  }
  for (const [code, text] of Object.entries(op.errors ?? {}) as [ErrorCode, string][]) {
    errors[code] = errors[code] && errors[code] !== text ? `${errors[code]}; ${text}` : text;
  }
  return errors;
}

export function accessText(access: Access): string {
  switch (access) {
    case 'public':
      return 'public (no authentication)';
    case 'metrics-token':
      return 'public unless METRICS_TOKEN is set (then Bearer METRICS_TOKEN)';
    case 'next-auth':
      return "public (next-auth's own endpoints)";
    default:
      return access;
  }
}

function security(access: Access): JsonObject[] | undefined {
  if (access === 'public' || access === 'next-auth') return [];
  if (access === 'metrics-token') return [{}, { metricsToken: [] }];
  return [{ bearerToken: [] }, { sessionCookie: [] }];
}

function parameters(route: RouteSpec, op: OperationSpec): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [name, p] of Object.entries(route.params ?? {})) {
    out.push({ name, in: 'path', required: true, description: p.description, schema: jsonSchema(p.schema, 'input') });
  }
  if (op.query) {
    const q = jsonSchema(op.query, 'input');
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, JsonObject>)) {
      const { description, ...rest } = schema;
      const param: JsonObject = { name, in: 'query', required: required.has(name), schema: rest };
      if (typeof description === 'string') param.description = description;
      if (rest.type === 'array') Object.assign(param, { style: 'form', explode: true });
      out.push(param);
    }
  }
  return out;
}

function errorProperties(codes: ErrorCode[]): JsonObject {
  const details = codes.length === 1 ? ERROR_DETAILS[codes[0]] : undefined;
  return { code: { enum: codes }, ...(details ? { details: ref(details) } : {}) };
}

function responses(op: OperationSpec): JsonObject {
  const out: JsonObject = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const schema = r.oneOf ? { oneOf: r.oneOf.map(ref) } : r.schema ? ref(r.schema) : undefined;
    const types = r.contentType === undefined ? ['application/json'] : [r.contentType].flat();
    const content = Object.fromEntries(types.map((type) => [type, schema ? { schema } : {}]));
    out[status] = { description: r.description, ...(schema || r.contentType ? { content } : {}) };
  }
  const byStatus = new Map<number, [ErrorCode, string][]>();
  for (const [code, text] of Object.entries(operationErrors(op)) as [ErrorCode, string][]) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), [code, text]]);
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const key = String(status);
    const own = out[key] as { description: string; content?: Record<string, { schema?: JsonObject }> } | undefined;
    const envelope = {
      allOf: [ref('Error'), { type: 'object', properties: { error: { type: 'object', properties: errorProperties(codes.map(([c]) => c)) } } }],
    };
    const ownSchema = own?.content?.['application/json']?.schema;
    out[key] = {
      description: [own?.description, ...codes.map(([code, text]) => `${code}: ${text}`)].filter(Boolean).join('; '),
      // a status the route answers itself (health's 503) may also come as the envelope
      content: { 'application/json': { schema: ownSchema ? { oneOf: [ownSchema, envelope] } : envelope } },
      'x-error-codes': codes.map(([c]) => c),
    };
  }
  return out;
}

function operation(route: RouteSpec, op: OperationSpec): JsonObject {
  const role = accessText(op.access) + (op.accessNote ? `; ${op.accessNote}` : '');
  const o: JsonObject = {
    operationId: `${op.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    description: [op.description, `Role: ${role}.`].filter(Boolean).join('\n\n'),
    tags: [op.tag],
    'x-required-role': op.access,
    parameters: parameters(route, op),
    responses: responses(op),
  };
  if (op.accessNote) o['x-role-note'] = op.accessNote;
  const sec = security(op.access);
  if (sec) o.security = sec;
  if (op.body) o.requestBody = { required: op.body.required, content: { 'application/json': { schema: ref(op.body.schema) } } };
  return o;
}

/** Names of the components a document refers to: bodies in 'input' form, answers in 'output'. */
function usedSchemas(routes: RouteSpec[]): Map<SchemaName, 'input' | 'output'> {
  const used = new Map<SchemaName, 'input' | 'output'>(Object.values(ERROR_DETAILS).map((name) => [name, 'output']));
  for (const route of routes) {
    for (const op of route.operations) {
      if (op.body) used.set(op.body.schema, 'input');
      for (const r of Object.values(op.responses)) for (const name of [...(r.oneOf ?? []), ...(r.schema ? [r.schema] : [])]) used.set(name, 'output');
    }
  }
  return used;
}

export function buildOpenApiDocument(routes: RouteSpec[] = apiRoutes, version = '0.1.0'): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const item: JsonObject = (paths[route.path] ??= {});
    for (const op of route.operations) item[op.method.toLowerCase()] = operation(route, op);
  }
  const schemas: Record<string, JsonObject> = { Error: jsonSchema(errorEnvelopeSchema, 'output') };
  for (const [name, io] of [...usedSchemas(routes)].sort(([a], [b]) => a.localeCompare(b))) schemas[name] = jsonSchema(namedSchemas[name], io);
  return {
    openapi: '3.1.0',
    info: {
      title: 'EventDesk HTTP API',
      version,
      description:
        'The console for the dead letters of EduPlatform\'s RabbitMQ bus. JSON; errors are {"error": {"code", "message", "details"}}. ' +
        'Auth: the session cookie, or Authorization: Bearer <token>. Roles: viewer reads; operator also republishes, discards and runs bulk jobs; admin also forces and manages users and tokens.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'an API token (Settings, or npm run token -- create)' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'next-auth.session-token',
          description: 'the console session (__Secure-next-auth.session-token when NEXTAUTH_URL is https); writes must come from the console origin',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for GET /api/metrics when it is set' },
      },
    },
  };
}

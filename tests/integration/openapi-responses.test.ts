// The OpenAPI document tells the truth: every described operation is called through its real
// route handler (against a test database) without credentials, as an admin, and with a body the
// schema refuses; each answer's status must be one the document lists, an error must carry one of
// the codes listed for that status, and a body must parse with the documented zod schema and
// validate against the document's own JSON Schema for that status (ajv, draft 2020-12).
import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorEnvelopeSchema } from '@/lib/openapi/build-document';
import { openApiDocument } from '@/lib/openapi/document';
import { apiRoutes, namedSchemas, type OperationSpec, type RouteSpec } from '@/lib/openapi/registry';
import { call, routeEnv, type Handler, type RouteEnv } from './route-handlers';
import { seedDeadLetter, type Seeded } from './triage-seed';

let env: RouteEnv;
let seeded: Seeded;

beforeAll(async () => {
  env = await routeEnv('openapi');
  seeded = await seedDeadLetter(env.db.pool, {});
});
afterAll(async () => {
  await env?.db.drop();
});

/** /api/dead-letters/{id} -> @/app/api/dead-letters/[id]/route */
const moduleOf = (path: string) => `@/app${path.replace(/\{([^}]+)\}/g, '[$1]')}/route`;

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { 'x-error-codes'?: string[]; content?: Record<string, { schema?: object }> }> }>>;
  components: { schemas: Record<string, object> };
};
const doc = openApiDocument() as unknown as Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'doc', components: doc.components });

/** The body against the document's JSON Schema for this status ($refs resolved in the document). */
function schemaErrors(path: string, method: string, status: number, body: unknown): string {
  const schema = doc.paths[path][method.toLowerCase()].responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) return '';
  const rebased = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')) as object;
  const validate = ajv.compile(rebased);
  return validate(body) ? '' : ajv.errorsText(validate.errors);
}

// next-auth answers in its own formats; /api/metrics in Prometheus text (its status is checked)
const described = apiRoutes.flatMap((route) => route.operations.filter((op) => op.access !== 'next-auth').map((op) => [route, op] as const));

async function check(route: RouteSpec, op: OperationSpec, who: 'none' | 'admin', body?: object): Promise<number> {
  const handler = (await import(/* @vite-ignore */ moduleOf(route.path)))[op.method] as Handler;
  const params = Object.fromEntries(
    Object.keys(route.params ?? {}).map((name) => [name, route.path.startsWith('/api/dead-letters/') ? seeded.id : randomUUID()]),
  );
  const url = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => String(params[name]));
  const res = await call(handler, op.method, url, { headers: who === 'admin' ? { ...env.tokens.admin } : {}, params, ...(body === undefined ? {} : { body }) });
  const documented = doc.paths[route.path][op.method.toLowerCase()].responses;
  const label = `${op.method} ${route.path} (${who}${body === undefined ? '' : ', bad body'}) -> ${res.status}`;
  expect(Object.keys(documented), label).toContain(String(res.status));
  if (op.access === 'metrics-token' && res.ok) return res.status;
  const json = (await res.json()) as unknown;
  expect(schemaErrors(route.path, op.method, res.status, json), `${label}: against the document's JSON Schema`).toBe('');
  if (res.ok) {
    const spec = op.responses[res.status];
    const schemas = spec.oneOf ?? (spec.schema ? [spec.schema] : []);
    if (schemas.length)
      expect(
        schemas.some((name) => namedSchemas[name].safeParse(json).success),
        `${label}: body is not ${schemas.join(' | ')}`,
      ).toBe(true);
  } else {
    const parsed = errorEnvelopeSchema.safeParse(json);
    if (!parsed.success) {
      expect(route.path === '/api/health' && res.status === 503, `${label}: not the error envelope`).toBe(true);
    } else {
      expect(documented[String(res.status)]['x-error-codes'], `${label}: code ${parsed.data.error.code}`).toContain(parsed.data.error.code);
    }
  }
  return res.status;
}

describe('the OpenAPI document against the real handlers', () => {
  it('covers the operations this test calls', () => {
    expect(described.length).toBeGreaterThanOrEqual(25);
  });

  it.each(described.map(([r, o]) => [`${o.method} ${r.path}`, r, o] as const))('%s without credentials', async (_name, route, op) => {
    const status = await check(route, op, 'none');
    if (op.access === 'public' || op.access === 'metrics-token') expect(status).toBeLessThan(500);
    else expect(status).toBe(401);
  });

  it.each(described.filter(([, o]) => o.method === 'GET').map(([r, o]) => [`${o.method} ${r.path}`, r, o] as const))(
    '%s as an admin',
    async (_name, route, op) => {
      const status = await check(route, op, 'admin');
      expect(status).toBeLessThan(500);
    },
  );

  it.each(described.filter(([, o]) => o.body).map(([r, o]) => [`${o.method} ${r.path}`, r, o] as const))(
    '%s as an admin with a refused body',
    async (_name, route, op) => {
      const status = await check(route, op, 'admin', { reason: 42, role: 'nobody', action: 'explode', name: '' });
      expect([400, 404]).toContain(status);
    },
  );

  it.each(described.filter(([, o]) => o.method !== 'GET' && !o.body).map(([r, o]) => [`${o.method} ${r.path}`, r, o] as const))(
    '%s as an admin on an unknown id',
    async (_name, route, op) => {
      expect(await check(route, op, 'admin')).toBe(404);
    },
  );

  it('the seeded dead letter reads back in the documented shape', async () => {
    const detail = apiRoutes.find((r) => r.path === '/api/dead-letters/{id}')!;
    expect(await check(detail, detail.operations[0], 'admin')).toBe(200);
  });
});

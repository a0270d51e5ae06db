// GET /api/openapi.json is a valid OpenAPI 3.1 document (checked by @readme/openapi-parser and by
// a structural check of our own: every $ref resolves, every path parameter is declared), built
// from the schemas the routes parse with.
import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, type JsonObject } from '@/lib/openapi/build-document';
import { GET } from '@/app/api/openapi.json/route';

type Doc = JsonObject & { paths: Record<string, Record<string, JsonObject>> };
const doc = buildOpenApiDocument() as Doc;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Problems a document has that a reader or a generator would trip on. */
function structuralProblems(d: Doc): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(String(d.openapi))) problems.push(`openapi is ${String(d.openapi)}, not 3.1.x`);
  const resolve = (pointer: string): unknown =>
    pointer
      .replace(/^#\//, '')
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((at, seg) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[seg] : undefined), d);
  const walk = (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}/${i}`));
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === '$ref' && typeof child === 'string' && (!child.startsWith('#/') || resolve(child) === undefined))
          problems.push(`${where}: $ref ${child} does not resolve`);
        walk(child, `${where}/${k}`);
      }
    }
  };
  walk(d, '#');
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(d.paths)) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    for (const method of Object.keys(item).filter((k) => METHODS.includes(k))) {
      const op = item[method] as { parameters?: { name: string; in: string; required?: boolean }[]; operationId?: string; responses?: object };
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      if (JSON.stringify(declared.map((p) => p.name).sort()) !== JSON.stringify(templated)) {
        problems.push(`${method.toUpperCase()} ${path}: path parameters declared ${declared.map((p) => p.name)} for template ${templated}`);
      }
      for (const p of declared) if (p.required !== true) problems.push(`${method.toUpperCase()} ${path}: path parameter ${p.name} not required`);
      if (!op.operationId || ids.has(op.operationId)) problems.push(`${method.toUpperCase()} ${path}: missing or repeated operationId`);
      ids.add(op.operationId ?? '');
      if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${method.toUpperCase()} ${path}: no responses`);
    }
  }
  return problems;
}

const op = (path: string, method: string) => doc.paths[path][method] as JsonObject & { responses: Record<string, JsonObject> };

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1 for @readme/openapi-parser', async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.specification).toBe('OpenAPI');
  });

  it('the validator refuses a broken document', async () => {
    const broken = structuredClone<Doc>(doc);
    delete broken.info;
    broken.paths['/api/me'].get.responses = 'none';
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('passes the structural check: 3.1.x, every $ref resolves, every path parameter declared', () => {
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('the structural check catches a broken document', () => {
    const broken = structuredClone<Doc>(doc);
    broken.openapi = '3.0.3';
    const republish = broken.paths['/api/dead-letters/{id}/republish'].post as { parameters: unknown[]; requestBody: JsonObject };
    republish.parameters = [];
    republish.requestBody = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } };
    const problems = structuralProblems(broken);
    expect(problems).toContain('openapi is 3.0.3, not 3.1.x');
    expect(problems.some((p) => p.includes('#/components/schemas/Nope does not resolve'))).toBe(true);
    expect(problems.some((p) => p.startsWith('POST /api/dead-letters/{id}/republish: path parameters declared'))).toBe(true);
  });

  it('describes each operation with its role, schemas and errors', () => {
    const republish = op('/api/dead-letters/{id}/republish', 'post');
    expect(republish['x-required-role']).toBe('operator');
    expect(republish['x-role-note']).toBe('force: admin');
    expect(Object.keys(republish.responses).sort()).toEqual(['200', '400', '401', '403', '404', '408', '409', '413', '415', '422', '500', '503']);
    expect(republish.responses['422']['x-error-codes']).toEqual(['contract_violation']);
    expect(JSON.stringify(republish.responses['422'])).toContain('#/components/schemas/ContractViolationDetails');
    const body = (doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas.RepublishRequest;
    expect(Object.keys(body.properties).sort()).toEqual(['body', 'force', 'reason', 'target']);

    const list = op('/api/dead-letters', 'get') as unknown as { parameters: { name: string; in: string; schema: JsonObject }[] };
    const limit = list.parameters.find((p) => p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', schema: { default: 50 } });
    expect(list.parameters.find((p) => p.name === 'status')?.schema.enum).toEqual(['pending', 'republished', 'discarded', 'unreadable']);
    expect(op('/api/dead-letters', 'get')['x-required-role']).toBe('viewer');
    expect(Object.keys(op('/api/dead-letters', 'get').responses)).not.toContain('403'); // any signed-in caller reads

    expect(op('/api/users', 'post')['x-required-role']).toBe('admin');
    expect(op('/api/health', 'get').security).toEqual([]);
    expect(op('/api/openapi.json', 'get')['x-required-role']).toBe('public');
    const health503 = JSON.stringify(op('/api/health', 'get').responses['503']);
    expect(health503).toContain('#/components/schemas/Health'); // the route's own 503 body
    expect(health503).toContain('#/components/schemas/Error'); // or withApi's outage envelope
  });

  it('is served by GET /api/openapi.json', async () => {
    const response = await GET(new Request('http://127.0.0.1/api/openapi.json'), undefined);
    expect(response.status).toBe(200);
    const served = (await response.json()) as Doc;
    expect(served.openapi).toBe('3.1.0');
    expect(Object.keys(served.paths).length).toBe(Object.keys(doc.paths).length);
  });
});

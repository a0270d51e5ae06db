// Every route file and every method it exports has its entry in the OpenAPI registry
// (lib/openapi/registry.ts), and the registry names no route or method that does not exist:
// a new route cannot ship undescribed.
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '@/lib/openapi/registry';
import { exportedMethods, routeFiles, routePath } from '../helpers/route-files';

const onDisk = routeFiles();
const key = (path: string, method: string) => `${method} ${path}`;
const registered = new Set(apiRoutes.flatMap((r) => r.operations.map((op) => key(r.path, op.method))));
const existing = new Set(onDisk.flatMap((r) => r.methods.map((m) => key(r.path, m))));

describe('OpenAPI registry coverage', () => {
  it('finds the route files and their methods', () => {
    expect(onDisk.length).toBeGreaterThanOrEqual(25);
    expect(existing).toContain('POST /api/dead-letters/{id}/republish');
    expect(existing).toContain('GET /api/auth/{nextauth}'); // export { handler as GET, handler as POST }
    expect(existing).toContain('DELETE /api/tokens/{id}');
  });

  it('has an entry for every route file and exported method', () => {
    const missing = [...existing].filter((k) => !registered.has(k));
    expect(missing, 'route methods without an entry in lib/openapi/registry.ts').toEqual([]);
  });

  it('names no route or method that does not exist', () => {
    const stale = [...registered].filter((k) => !existing.has(k));
    expect(stale, 'registry entries without a route file or exported method').toEqual([]);
  });

  it('lists each path once and each method once per path', () => {
    const paths = apiRoutes.map((r) => r.path);
    expect(paths.length).toBe(new Set(paths).size);
    for (const r of apiRoutes) expect(r.operations.length, r.path).toBe(new Set(r.operations.map((o) => o.method)).size);
  });

  it('reads methods and paths as Next does', () => {
    expect(exportedMethods('export const GET = withApi(...);\nexport async function POST() {}')).toEqual(['GET', 'POST']);
    expect(exportedMethods('export { handler as GET, handler as PATCH };')).toEqual(['GET', 'PATCH']);
    expect(exportedMethods('export const runtime = "nodejs"; const DELETE = 1;')).toEqual([]);
    expect(routePath('app/api/bulk/[id]/pause/route.ts')).toBe('/api/bulk/{id}/pause');
    expect(routePath('app/api/auth/[...nextauth]/route.ts')).toBe('/api/auth/{nextauth}');
    expect(routePath('app/api/openapi.json/route.ts')).toBe('/api/openapi.json');
  });
});

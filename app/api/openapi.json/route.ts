// GET /api/openapi.json (no auth): the OpenAPI 3.1 description of this API, built from the route
// registry (lib/openapi/registry.ts) and the zod schemas the routes parse with. Public like the
// README it mirrors; people read it at /api-docs.
import { json, withApi } from '@/lib/api/handler';
import { openApiDocument } from '@/lib/openapi/document';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApi(async () => json(openApiDocument(), { headers: { 'cache-control': 'no-cache' } }));

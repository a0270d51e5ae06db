// Any /api path no route serves, by any method: the JSON error envelope (404 not_found naming
// the path), not Next's HTML page. More specific routes always win over this catch-all.
import { errorResponse } from '@/lib/api/handler';
import { ApiError } from '@/lib/api/errors';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

function noSuchRoute(request: Request): Response {
  const path = new URL(request.url).pathname.slice(0, 200);
  return errorResponse(new ApiError('not_found', `No API route at ${path}`, [{ field: 'path', message: 'no such route' }]));
}

export const GET = noSuchRoute;
export const HEAD = noSuchRoute;
export const POST = noSuchRoute;
export const PUT = noSuchRoute;
export const PATCH = noSuchRoute;
export const DELETE = noSuchRoute;
export const OPTIONS = noSuchRoute;

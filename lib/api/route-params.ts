// Route parameter and no-fields body helpers of the republish, bulk and audit routes (optional
// JSON bodies: optionalJsonBody, lib/api/parse.ts).
import { z } from 'zod';
import { notFound } from './errors';
import { optionalJsonBody } from './parse';

/**
 * A path id that is not a UUID names nothing: 404 rather than a database error. Returned in the
 * database's own form (lower case), so that an answer and an audit line name the record as every
 * other one does (an upper-case id was stored in the audit target as sent).
 */
export async function uuidParam(params: Promise<{ id: string }>, what: string): Promise<string> {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) throw notFound(what);
  return id.toLowerCase();
}

/**
 * A mutating route that takes no fields (pause, resume, cancel, a channel's test, a revoke): no
 * body, or a JSON object without fields; a field is refused (400 naming it) as on every other
 * mutating route, never ignored.
 */
export async function noFieldsBody(request: Request): Promise<void> {
  await optionalJsonBody(request, z.strictObject({}));
}

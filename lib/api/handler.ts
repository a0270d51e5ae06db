// Wraps a route handler: every thrown ApiError, and every domain error of an action
// (ActionError, lib/action-error.ts), becomes the error envelope, anything else a 500 without
// internals; database or broker outages become 503. Routes stay thin: parse -> authorise ->
// call lib/actions (or a lib/server read) -> respond.
import { ZodError } from 'zod';
import { ActionError } from '@/lib/action-error';
import { ApiError, fromActionError } from './errors';
import { zodDetails } from './parse';
import { isLockTimeout } from '@/lib/db/guard-pool';
import { logger } from '@/lib/log';
import { withHttpMetrics } from '@/lib/metrics/http-metrics';

type Handler<C> = (request: Request, context: C) => Promise<Response>;

// 57014: a statement cancelled by statement_timeout (lib/db/guard-pool.ts)
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '57014', '08006', '08001', '08003']);

/** Prisma's interactive transaction past its time (P2028): the database was too slow for it. */
const EXPIRED_TRANSACTION = 'P2028';

function isOutage(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  return (
    e?.code === EXPIRED_TRANSACTION ||
    /expired transaction|Transaction already closed/i.test(e?.message ?? '') ||
    OUTAGE_CODES.has(e?.code ?? '') ||
    OUTAGE_CODES.has(e?.cause?.code ?? '') ||
    /connect|Connection terminated|timeout exceeded when trying to connect|Query read timeout|statement timeout/i.test(e?.message ?? '')
  );
}

export function json(data: unknown, init?: ResponseInit): Response {
  return Response.json(data, init);
}

export function errorResponse(err: ApiError): Response {
  return Response.json(err.toBody(), { status: err.status });
}

export function withApi<C = unknown>(handler: Handler<C>): Handler<C> {
  return withHttpMetrics(async (request, context) => {
    try {
      return await handler(request, context);
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(err);
      if (err instanceof ActionError) return errorResponse(fromActionError(err));
      if (err instanceof ZodError) return errorResponse(new ApiError('invalid_request', 'Invalid request', zodDetails(err)));
      // a row-lock wait past lock_timeout (lib/db/guard-pool.ts): someone else holds the row
      if (isLockTimeout(err))
        return errorResponse(new ApiError('conflict', 'Busy: another action holds this record; nothing was changed, try again shortly', { reason: 'busy' }));
      if (isOutage(err)) {
        logger.warn({ err, url: request.url }, 'dependency unavailable');
        return errorResponse(new ApiError('unavailable', 'A dependency (database or broker) is unavailable; retry shortly'));
      }
      logger.error({ err, url: request.url }, 'unhandled API error');
      return errorResponse(new ApiError('internal', 'Internal error'));
    }
  });
}

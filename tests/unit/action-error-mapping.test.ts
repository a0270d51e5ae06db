// withApi answers an action's domain error (lib/action-error.ts) with the HTTP status, code,
// message and details the API documents: the same answer the routes gave when lib threw ApiError.
import { describe, expect, it } from 'vitest';
import { ActionError, type ActionErrorKind } from '@/lib/action-error';
import { withApi } from '@/lib/api/handler';

const expected: [ActionErrorKind, number, string][] = [
  ['not_found', 404, 'not_found'],
  ['conflict', 409, 'conflict'],
  ['unavailable', 503, 'unavailable'],
  ['forbidden', 403, 'forbidden'],
  ['contract_violation', 422, 'contract_violation'],
  ['unprocessable', 422, 'unprocessable'],
  ['invalid', 400, 'invalid_request'],
];

describe('withApi and domain errors', () => {
  it.each(expected)('%s -> %i %s, message and details as thrown', async (kind, status, code) => {
    const handler = withApi(async () => {
      throw new ActionError(kind, `it was ${kind}`, { reason: 'why', n: 1 });
    });
    const res = await handler(new Request('http://localhost/api/x', { method: 'POST' }), {});
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: { code, message: `it was ${kind}`, details: { reason: 'why', n: 1 } } });
  });

  it('leaves details out when the error has none', async () => {
    const handler = withApi(async () => {
      throw new ActionError('not_found', 'Dead letter not found');
    });
    const res = await handler(new Request('http://localhost/api/x'), {});
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'Dead letter not found' } });
  });
});

describe('withApi and a database too slow for a transaction', () => {
  it("answers Prisma's expired interactive transaction (P2028) with 503 unavailable, not a 500 (found under a slow search)", async () => {
    const handler = withApi(async () => {
      throw Object.assign(
        new Error(
          'Transaction API error: A query cannot be executed on an expired transaction. The timeout for this transaction was 5000 ms, however 8601 ms passed since the start of the transaction.',
        ),
        { code: 'P2028' },
      );
    });
    const res = await handler(new Request('http://localhost/api/dead-letters?q=x'), {});
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });
});

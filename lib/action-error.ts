// The domain errors of operator actions (lib/actions): what went wrong, in the action's terms,
// never an HTTP status. withApi (lib/api/handler.ts) maps each kind to the API's error code and
// status. It sits directly under lib/ because lib/api maps it and lib/actions throws it, and
// lib/actions reads through lib/server, which imports lib/api: a folder of either would make an
// import ring (tests/unit/layout-no-rings.test.ts).
import { isNamedError } from '@/lib/named-error';

export type ActionErrorKind = 'not_found' | 'conflict' | 'unavailable' | 'forbidden' | 'contract_violation' | 'unprocessable' | 'invalid';

export class ActionError extends Error {
  /** by name: a copy of this class in another chunk made it (lib/named-error.ts) */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'ActionError');
  }

  constructor(
    public readonly kind: ActionErrorKind,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

export const notFound = (what: string) => new ActionError('not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new ActionError('conflict', message, details);
export const unavailable = (message: string, details?: unknown) => new ActionError('unavailable', message, details);
export const unprocessable = (message: string, details?: unknown) => new ActionError('unprocessable', message, details);
export const forbidden = (message: string) => new ActionError('forbidden', message);
/** A 400's details are always one { field, message } per field at fault (README, HTTP API). */
export const invalid = (message: string, details?: { field: string; message: string }[]) => new ActionError('invalid', message, details);

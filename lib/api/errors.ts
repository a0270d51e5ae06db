// The one error envelope of the HTTP API: { error: { code, message, details? } }.
import type { ActionError, ActionErrorKind } from '@/lib/action-error';
import { isNamedError } from '@/lib/named-error';

export const errorStatus = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  contract_violation: 422,
  /** a request that is well-formed but cannot be carried out on this data (e.g. an unreadable message that still cannot be stored) */
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export class ApiError extends Error {
  /** by name: a copy of this class in another chunk made it (lib/named-error.ts) */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'ApiError');
  }

  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new ApiError('conflict', message, details);
export const unavailable = (message: string, details?: unknown) => new ApiError('unavailable', message, details);
export const unprocessable = (message: string, details?: unknown) => new ApiError('unprocessable', message, details);

/** The API's code of each domain error kind (lib/action-error.ts); status, message and details carry over as they are. */
const actionErrorCode: Record<ActionErrorKind, ErrorCode> = {
  not_found: 'not_found',
  conflict: 'conflict',
  unavailable: 'unavailable',
  forbidden: 'forbidden',
  contract_violation: 'contract_violation',
  unprocessable: 'unprocessable',
  invalid: 'invalid_request',
};

export function fromActionError(err: ActionError): ApiError {
  return new ApiError(actionErrorCode[err.kind], err.message, err.details);
}

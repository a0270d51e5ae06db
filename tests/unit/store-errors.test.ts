// Which store failures are retried as they are (transient) and which split the batch and park.
import { describe, expect, it } from 'vitest';
import { isTransientStoreError, storeErrorText } from '@/lib/bus/store-errors';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('store error classes', () => {
  it('retries connection, shutdown, conflict, resource, timeout and pool failures', () => {
    for (const code of ['08006', '08003', '57P01', '57014', '40001', '40P01', '53300', '53200', '55P03', '58030']) {
      expect(isTransientStoreError(pgError(code)), code).toBe(true);
    }
    expect(isTransientStoreError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientStoreError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientStoreError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('does not retry failures caused by the data', () => {
    for (const code of ['22008', '22P02', '22021', '23502', '23505', '54000', '54001', 'XX000', '42804']) {
      expect(isTransientStoreError(pgError(code)), code).toBe(false);
    }
    expect(isTransientStoreError(new RangeError('Invalid time value'))).toBe(false);
    expect(isTransientStoreError(new TypeError('Do not know how to serialize a BigInt'))).toBe(false);
  });

  it('names the SQLSTATE in the text', () => {
    expect(storeErrorText(pgError('22008', 'timestamp out of range'))).toBe('22008 timestamp out of range');
    expect(storeErrorText(new Error('plain'))).toBe('plain');
  });
});

// Realistic constraints of the contracts: formats, enums, ranges, nested paths.
import { describe, expect, it } from 'vitest';
import { currentContract } from '@/lib/events/registry';
import { validateEvent } from '@/lib/events/validate';
import { jsonPath } from '@/lib/events/violations';

type Json = Record<string, unknown>;

function withData(type: string, patch: Json): Json {
  const event = structuredClone(currentContract(type)!.example);
  event.data = { ...(event.data as Json), ...patch };
  return event;
}

function paths(event: Json): string[] {
  return validateEvent(event).violations.map((v) => v.path);
}

describe('contract constraints', () => {
  it.each([
    ['user.created', { email: 'not-an-email' }, '$.data.email'],
    ['user.created', { role: 'TEACHER' }, '$.data.role'],
    ['user.created', { name: { first: 'John' } }, '$.data.name.last'],
    ['user.updated', { changes: {} }, '$.data.changes'],
    ['user.updated', { changes: { avatar: 'javascript:alert(1)' } }, '$.data.changes.avatar'],
    ['course.created', { price: -1 }, '$.data.price'],
    ['course.created', { title: '' }, '$.data.title'],
    ['course.published', { publishedAt: '20/11/2023' }, '$.data.publishedAt'],
    ['order.created', { currency: 'usd' }, '$.data.currency'],
    ['order.created', { courseIds: [] }, '$.data.courseIds'],
    ['order.created', { courseIds: ['course1', 7] }, '$.data.courseIds[1]'],
    ['order.created', { totalAmount: -0.01 }, '$.data.totalAmount'],
    ['progress.updated', { progressPercentage: 100.5 }, '$.data.progressPercentage'],
    ['progress.updated', { progressPercentage: -1 }, '$.data.progressPercentage'],
    ['media.processed', { status: 'done' }, '$.data.status'],
    ['media.processed', { hlsUrl: 'not a url' }, '$.data.hlsUrl'],
    ['review.created', { rating: 4.5 }, '$.data.rating'],
    ['review.created', { rating: 6 }, '$.data.rating'],
    ['review.created', { rating: 0 }, '$.data.rating'],
  ])('%s rejects %j at %s', (type, patch, path) => {
    expect(paths(withData(type, patch))).toContain(path);
  });

  it('accepts boundary values', () => {
    expect(validateEvent(withData('progress.updated', { progressPercentage: 0 })).status).toBe('valid');
    expect(validateEvent(withData('progress.updated', { progressPercentage: 100 })).status).toBe('valid');
    expect(validateEvent(withData('course.created', { price: 0 })).status).toBe('valid');
    expect(validateEvent(withData('review.created', { rating: 1, comment: undefined })).status).toBe('valid');
    const offset = structuredClone(currentContract('order.created')!.example);
    offset.timestamp = '2026-11-20T11:30:00.123+01:00';
    expect(validateEvent(offset).status).toBe('valid');
  });

  it('rejects a non-http URL inside a nested object', () => {
    const event = withData('user.updated', { changes: { 'avatar url': 1, avatar: 'ftp://x' } });
    expect(paths(event)).toEqual(['$.data.changes.avatar']);
  });

  it('writes JSONPath-like paths, quoting keys that are not identifiers', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['data', 'courseIds', 0])).toBe('$.data.courseIds[0]');
    expect(jsonPath(['data', 'avatar url', 'x-y'])).toBe('$.data["avatar url"]["x-y"]');
  });

  it('rejects non-objects at $', () => {
    for (const value of [null, 42, 'text', [1, 2], true]) {
      const r = validateEvent(value);
      expect(r.status).toBe('invalid');
      expect(r.violations).toEqual([{ path: '$', message: expect.any(String) }]);
    }
  });

  it('reports a missing eventType as invalid, keeping the event id', () => {
    const event = structuredClone(currentContract('order.created')!.example);
    delete event.eventType;
    const r = validateEvent(event);
    expect(r.status).toBe('invalid');
    expect(r.eventId).toBe(event.eventId);
    expect(r.violations[0].path).toBe('$.eventType');
  });

  it('extracts a correlation id carried in the body', () => {
    const event = structuredClone(currentContract('order.created')!.example);
    event.correlationId = 'corr-1';
    expect(validateEvent(event).correlationId).toBe('corr-1');
    delete event.correlationId;
    event.metadata = { correlationId: 'corr-2' };
    expect(validateEvent(event).correlationId).toBe('corr-2');
  });
});

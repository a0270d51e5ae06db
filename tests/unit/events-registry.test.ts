// The contract registry on every event type: valid, missing field, wrong type, unknown minor,
// previous major, unsupported major, unknown type.
import { describe, expect, it } from 'vitest';
import { contractFor, currentContract, currentVersion, EVENT_TYPES, supportedMajors } from '@/lib/events/registry';
import { validateEvent } from '@/lib/events/validate';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

/** per type: a required data field, and a data field set to a value of the wrong type */
const CASES: Record<string, { required: string; wrong: [string, unknown] }> = {
  'user.created': { required: 'email', wrong: ['role', 7] },
  'user.updated': { required: 'changes', wrong: ['changes', 'firstName=Jane'] },
  'course.created': { required: 'instructorId', wrong: ['price', '99.99'] },
  'course.published': { required: 'publishedAt', wrong: ['title', 42] },
  'order.created': { required: 'courseIds', wrong: ['totalAmount', '199.98'] },
  'order.completed': { required: 'paymentId', wrong: ['courseIds', 'course123'] },
  'progress.updated': { required: 'lectureId', wrong: ['progressPercentage', '75%'] },
  'certificate.issued': { required: 'certificateId', wrong: ['issuedAt', 1700000000] },
  'media.processed': { required: 'hlsUrl', wrong: ['duration', '20 min'] },
  'review.created': { required: 'rating', wrong: ['rating', 'five'] },
};

function example(type: string): Json {
  return clone(currentContract(type)!.example);
}

describe('registry', () => {
  it('knows the ten event types of the spec', () => {
    expect([...EVENT_TYPES].sort()).toEqual(Object.keys(CASES).sort());
  });

  it('has user.created 2.0 as current with 1 as previous; the rest at 1', () => {
    expect(currentVersion('user.created')).toBe('2.0');
    expect(supportedMajors('user.created')).toEqual([2, 1]);
    for (const t of EVENT_TYPES.filter((t) => t !== 'user.created')) {
      expect(currentVersion(t)).toBe('1.0');
      expect(supportedMajors(t)).toEqual([1]);
    }
    expect(currentVersion('nope.created')).toBeUndefined();
    expect(supportedMajors('nope.created')).toEqual([]);
  });

  it('contractFor resolves supported majors only, with a JSON Schema', () => {
    const c = contractFor('user.created', '1.4')!;
    expect(c.major).toBe(1);
    expect(c.eventType).toBe('user.created');
    expect((c.jsonSchema as Json).type).toBe('object');
    expect(contractFor('user.created', '2.0')!.major).toBe(2);
    expect(contractFor('user.created', '3.0')).toBeUndefined();
    expect(contractFor('user.created', '0.1')).toBeUndefined();
    expect(contractFor('user.created', 'v2')).toBeUndefined();
    expect(contractFor('unknown.type', '1.0')).toBeUndefined();
  });

  it('returns the same contract object on every call (nothing built per call)', () => {
    expect(contractFor('order.created', '1.0')).toBe(contractFor('order.created', '1.3'));
  });
});

describe.each(EVENT_TYPES.map((t) => [t]))('%s', (type) => {
  const cases = CASES[type];

  it('accepts the example of its current version', () => {
    const event = example(type);
    const r = validateEvent(event);
    expect(r.violations).toEqual([]);
    expect(r.status).toBe('valid');
    expect(r.eventId).toBe(event.eventId);
    expect(r.eventType).toBe(type);
    expect(r.version).toBe(currentVersion(type));
    expect(r.event).toEqual(event);
  });

  it(`reports a missing data.${cases.required} at its path, keeping the ids`, () => {
    const event = example(type);
    delete (event.data as Json)[cases.required];
    const r = validateEvent(event);
    expect(r.status).toBe('invalid');
    expect(r.violations).toContainEqual({ path: `$.data.${cases.required}`, message: 'is required' });
    expect(r.eventId).toBe(event.eventId);
    expect(r.eventType).toBe(type);
  });

  it(`reports a wrong type at data.${cases.wrong[0]}`, () => {
    const event = example(type);
    (event.data as Json)[cases.wrong[0]] = cases.wrong[1];
    const r = validateEvent(event);
    expect(r.status).toBe('invalid');
    expect(r.violations.map((v) => v.path)).toContain(`$.data.${cases.wrong[0]}`);
  });

  it('reports a missing envelope field', () => {
    const event = example(type);
    delete event.source;
    event.eventId = 'not-a-uuid';
    const r = validateEvent(event);
    expect(r.status).toBe('invalid');
    expect(r.violations.map((v) => v.path).sort()).toEqual(['$.eventId', '$.source']);
    expect(r.eventId).toBe('not-a-uuid');
  });

  it('accepts an unknown higher minor with extra fields (backward compatible)', () => {
    const event = example(type);
    const major = currentVersion(type)!.split('.')[0];
    event.version = `${major}.99`;
    (event.data as Json).addedInMinor99 = { anything: true };
    event.traceId = 'extra-envelope-field';
    const r = validateEvent(event);
    expect(r.status).toBe('valid');
    expect((r.event as { data: Json }).data.addedInMinor99).toEqual({ anything: true });
  });

  it('treats a previous major as supported only where one is defined', () => {
    const current = Number(currentVersion(type)!.split('.')[0]);
    const previous = contractFor(type, `${current - 1}.0`);
    if (type === 'user.created') {
      expect(previous).toBeDefined();
      const r = validateEvent(clone(previous!.example));
      expect(r.status).toBe('valid');
      expect(r.version).toBe('1.0');
      // a 1.x body labelled 2.0 breaks the 2.x contract
      const mislabelled = { ...clone(previous!.example), version: '2.0' };
      expect(validateEvent(mislabelled).status).toBe('invalid');
    } else {
      expect(previous).toBeUndefined();
      const event = example(type);
      event.version = `${current - 1}.9`;
      expect(validateEvent(event).status).toBe('unsupported-version');
    }
  });

  it('reports an unsupported major', () => {
    const event = example(type);
    const current = Number(currentVersion(type)!.split('.')[0]);
    event.version = `${current + 1}.0`;
    const r = validateEvent(event);
    expect(r.status).toBe('unsupported-version');
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0].path).toBe('$.version');
    expect(r.eventId).toBe(event.eventId);
    expect(r.eventType).toBe(type);
  });

  it('reports a malformed version as invalid', () => {
    const event = example(type);
    event.version = 'latest';
    const r = validateEvent(event);
    expect(r.status).toBe('invalid');
    expect(r.violations.map((v) => v.path)).toContain('$.version');
  });

  it('reports an unknown type, keeping the event id', () => {
    const event = example(type);
    event.eventType = `${type}.renamed`;
    const r = validateEvent(event);
    expect(r.status).toBe('unknown-type');
    expect(r.eventType).toBe(`${type}.renamed`);
    expect(r.eventId).toBe(event.eventId);
    expect(r.violations[0].path).toBe('$.eventType');
  });
});

// PATCH /api/groups/:id's body schema: a snoozedUntil that is not a date-time is a 400 naming the
// field, never an exception (the request fuzz once found a 500 for {"snoozedUntil":"tomorrow"}:
// the object's refinement ran on the raw string).
import { describe, expect, it } from 'vitest';
import { changeGroupSchema } from '@/lib/schemas/groups';

const issues = (body: unknown) => {
  const r = changeGroupSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('changeGroupSchema', () => {
  it.each([{ snoozedUntil: 'tomorrow' }, { status: 'snoozed', snoozedUntil: 'tomorrow' }, { status: 'snoozed', snoozedUntil: 5 }, { snoozedUntil: {} }])(
    'refuses %j naming snoozedUntil, without throwing',
    (body) => {
      expect(() => changeGroupSchema.safeParse(body)).not.toThrow();
      expect(issues(body).some((i) => i.startsWith('snoozedUntil:'))).toBe(true);
    },
  );

  it('takes a snooze in the future, refuses one in the past or past 90 days', () => {
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(issues({ status: 'snoozed', snoozedUntil: at(3_600_000) })).toEqual([]);
    expect(issues({ status: 'snoozed', snoozedUntil: at(-60_000) })).toEqual(['snoozedUntil: must be in the future']);
    expect(issues({ status: 'snoozed', snoozedUntil: at(91 * 86_400_000) })[0]).toMatch(/^snoozedUntil: must be at most 90 days ahead/);
  });
});

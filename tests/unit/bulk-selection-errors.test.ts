// What a refused bulk selection says: the selection is a union of strict objects (ids, groupId,
// filter), and a union refused as a whole said only "selection: Invalid input", even when the
// input plainly meant one branch (101,000 ids: which field, what limit?). The branch whose keys
// the input has is reported, its field named; an input that fits no branch says what is expected.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodDetails } from '@/lib/api/parse';
import { bulkSelectionSchema } from '@/lib/schemas/bulk';

const body = z.object({ selection: bulkSelectionSchema });
const details = (input: unknown) => {
  const r = body.safeParse(input);
  return r.success ? [] : zodDetails(r.error).map((d) => `${d.field}: ${d.message}`);
};
const ID = '3f1c2a4e-8b7d-4c2a-9e1f-0a1b2c3d4e5f';

describe('bulk selection errors', () => {
  it('names the field of the branch the input meant', () => {
    expect(details({ selection: { ids: Array<string>(100_001).fill(ID) } })).toEqual(['selection.ids: Too big: expected array to have <=100000 items']);
    expect(details({ selection: { ids: [] } })[0]).toMatch(/^selection\.ids: /);
    expect(details({ selection: { ids: [ID, 'nope'] } })).toEqual(['selection.ids.1: expected dead letter ids']);
    expect(details({ selection: { groupId: 'not hex' } })).toEqual(['selection.groupId: expected a group id']);
    expect(details({ selection: { filter: { evenType: 'x' } } })).toEqual(['selection.filter.evenType: unknown field']);
  });

  it('refuses a filter on a status other than pending (only pending dead letters are selected; it used to be dropped)', () => {
    for (const status of ['discarded', 'republished', 'unreadable'])
      expect(details({ selection: { filter: { status } } })).toEqual([
        'selection.filter.status: only pending dead letters can be selected: leave status out or set it to pending',
      ]);
    expect(details({ selection: { filter: { status: 'pending', queue: 'q' } } })).toEqual([]);
  });

  it('says what is expected when the input fits no branch, or more than one', () => {
    for (const selection of [{}, { ids: [ID], groupId: 'ab' }, { nothing: 1 }])
      expect(details({ selection })).toEqual(['selection: expected exactly one of ids, groupId or filter']);
  });

  it('takes a valid selection', () => {
    expect(details({ selection: { ids: [ID] } })).toEqual([]);
    expect(details({ selection: { groupId: 'ab12' } })).toEqual([]);
    expect(details({ selection: { filter: { eventType: 'user.created' } } })).toEqual([]);
  });
});

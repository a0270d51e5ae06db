// user.created 1.x <-> 2.x, and upcastToCurrent for every type.
import { describe, expect, it } from 'vitest';
import { contractFor, currentContract, EVENT_TYPES } from '@/lib/events/registry';
import { upcastToCurrent } from '@/lib/events/upcast';
import { userCreatedV1ToV2, userCreatedV2ToV1 } from '@/lib/events/upcasters/user-created';
import type { UserCreatedV1 } from '@/lib/events/contracts/user-created.v1';
import type { UserCreatedV2 } from '@/lib/events/contracts/user-created.v2';
import { validateEvent } from '@/lib/events/validate';

const v1 = () => structuredClone(contractFor('user.created', '1.0')!.example) as UserCreatedV1;
const v2 = () => structuredClone(contractFor('user.created', '2.0')!.example) as UserCreatedV2;

describe('user.created upcaster', () => {
  it('turns 1.x into a valid 2.0 with name {first,last}', () => {
    const up = userCreatedV1ToV2(v1());
    expect(up.version).toBe('2.0');
    expect(up.data).toEqual({
      userId: 'user123',
      email: 'john.doe@example.com',
      role: 'STUDENT',
      name: { first: 'John', last: 'Doe' },
    });
    expect(up.eventId).toBe(v1().eventId);
    expect(validateEvent(up).status).toBe('valid');
  });

  it('turns 2.x into a valid 1.0 (downcast)', () => {
    const down = userCreatedV2ToV1(v2());
    expect(down.version).toBe('1.0');
    expect(down.data).toEqual({
      userId: 'user123',
      email: 'john.doe@example.com',
      role: 'STUDENT',
      firstName: 'John',
      lastName: 'Doe',
    });
    expect(validateEvent(down).status).toBe('valid');
  });

  it('round-trips both directions and keeps unknown fields', () => {
    const e1 = { ...v1(), data: { ...v1().data, locale: 'fr' } };
    expect(userCreatedV2ToV1(userCreatedV1ToV2(e1))).toEqual(e1);
    const e2 = v2();
    expect(userCreatedV1ToV2(userCreatedV2ToV1(e2))).toEqual(e2);
  });

  it('upcastToCurrent upgrades a previous major and leaves current ones alone', () => {
    expect(upcastToCurrent<UserCreatedV2>(v1()).data.name).toEqual({ first: 'John', last: 'Doe' });
    for (const type of EVENT_TYPES) {
      const current = currentContract(type)!.example;
      expect(upcastToCurrent(current as { eventType: string; version: string })).toEqual(current);
    }
  });

  it('upcastToCurrent refuses an unknown type', () => {
    expect(() => upcastToCurrent({ eventType: 'x.y', version: '1.0' })).toThrow();
  });
});

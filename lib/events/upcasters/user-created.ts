// user.created 1.x <-> 2.x. Upcasting lets consumers of 2.x read events from producers still on
// 1.x; the downcaster exists so tests (and a producer rolling back) can go the other way.
import type { UserCreatedV1 } from '../contracts/user-created.v1';
import type { UserCreatedV2 } from '../contracts/user-created.v2';

export function userCreatedV1ToV2(event: UserCreatedV1): UserCreatedV2 {
  const { firstName, lastName, ...rest } = event.data;
  return { ...event, version: '2.0', data: { ...rest, name: { first: firstName, last: lastName } } };
}

export function userCreatedV2ToV1(event: UserCreatedV2): UserCreatedV1 {
  const { name, ...rest } = event.data;
  return { ...event, version: '1.0', data: { ...rest, firstName: name.first, lastName: name.last } };
}

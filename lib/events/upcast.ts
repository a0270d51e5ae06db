// Brings a validated event of a supported previous major up to the current major's shape.
import type { UserCreatedV1 } from './contracts/user-created.v1';
import { currentMajor, parseVersion } from './registry';
import { userCreatedV1ToV2 } from './upcasters/user-created';

type Upcaster = (event: never) => unknown;

/** eventType -> from major -> function producing the next major */
const UPCASTERS: Record<string, Record<number, Upcaster>> = {
  'user.created': { 1: (e: UserCreatedV1) => userCreatedV1ToV2(e) },
};

export class UpcastError extends Error {}

/**
 * Returns the event in its type's current major. `event` must already be valid for its own
 * version (validateEvent). Events already current are returned as they are.
 */
export function upcastToCurrent<T = unknown>(event: { eventType: string; version: string }): T {
  const target = currentMajor(event.eventType);
  const parsed = parseVersion(event.version);
  if (target === undefined || !parsed) throw new UpcastError(`cannot upcast ${event.eventType} ${event.version}`);
  let value: unknown = event;
  for (let major = parsed.major; major < target; major++) {
    const step = UPCASTERS[event.eventType]?.[major];
    if (!step) throw new UpcastError(`no upcaster for ${event.eventType} from major ${major}`);
    value = (step as (e: unknown) => unknown)(value);
  }
  return value as T;
}

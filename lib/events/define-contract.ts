// Wraps a contract's `data` schema in the envelope every event shares. Objects are loose on
// purpose: a higher minor version may add fields, and old consumers must accept them.
import { z } from 'zod';
import { eventId, identifier, isoDateTime } from './fields';

export interface ContractDefinition<T extends string, D extends z.ZodType> {
  eventType: T;
  major: number;
  /** the highest minor this codebase knows; higher minors of the same major are accepted */
  minor: number;
  data: D;
  /** a realistic, valid event (tests, the demo and the editor start from it) */
  example: Record<string, unknown>;
}

export function defineContract<T extends string, D extends z.ZodType>(def: ContractDefinition<T, D>) {
  const schema = z.looseObject({
    eventId,
    eventType: z.literal(def.eventType),
    timestamp: isoDateTime,
    version: z.string().regex(new RegExp(`^${def.major}\\.\\d+$`), `must be "${def.major}.<minor>"`),
    source: identifier,
    data: def.data,
  });
  return { ...def, schema };
}

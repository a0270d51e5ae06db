// The contract registry: every event type and major version the platform knows, built once at
// module load (the drain validates ~20k messages/s, so nothing here is constructed per call).
// Isomorphic: used by the worker, the API, the demo and the browser editor.
import { z } from 'zod';
import { certificateIssuedV1 } from './contracts/certificate-issued.v1';
import { courseCreatedV1 } from './contracts/course-created.v1';
import { coursePublishedV1 } from './contracts/course-published.v1';
import { mediaProcessedV1 } from './contracts/media-processed.v1';
import { orderCompletedV1 } from './contracts/order-completed.v1';
import { orderCreatedV1 } from './contracts/order-created.v1';
import { progressUpdatedV1 } from './contracts/progress-updated.v1';
import { reviewCreatedV1 } from './contracts/review-created.v1';
import { userCreatedV1 } from './contracts/user-created.v1';
import { userCreatedV2 } from './contracts/user-created.v2';
import { userUpdatedV1 } from './contracts/user-updated.v1';

export type ValidationStatus = 'valid' | 'invalid' | 'unparseable' | 'unknown-type' | 'unsupported-version';

/** path is JSONPath-like: "$", "$.data.email", "$.data.courseIds[0]" */
export interface Violation {
  path: string;
  message: string;
}

export interface Contract {
  eventType: string;
  major: number;
  /** highest minor known here; higher minors of this major are still valid */
  minor: number;
  schema: z.ZodType;
  jsonSchema: object;
  /** a realistic valid event of this version */
  example: Record<string, unknown>;
}

const DEFINITIONS = [
  userCreatedV1,
  userCreatedV2,
  userUpdatedV1,
  courseCreatedV1,
  coursePublishedV1,
  orderCreatedV1,
  orderCompletedV1,
  progressUpdatedV1,
  certificateIssuedV1,
  mediaProcessedV1,
  reviewCreatedV1,
];

const byType = new Map<string, Map<number, Contract>>();
for (const def of DEFINITIONS) {
  let jsonSchema: object | undefined;
  const contract: Contract = {
    eventType: def.eventType,
    major: def.major,
    minor: def.minor,
    schema: def.schema,
    // Built on first use (the editor needs it, the drain never does), then kept.
    get jsonSchema() {
      return (jsonSchema ??= z.toJSONSchema(def.schema, { unrepresentable: 'any' }));
    },
    example: def.example,
  };
  let majors = byType.get(def.eventType);
  if (!majors) byType.set(def.eventType, (majors = new Map()));
  majors.set(def.major, contract);
}

// Current = highest major defined; the previous one stays supported during a migration period.
const current = new Map<string, Contract>();
const supported = new Map<string, number[]>();
for (const [type, majors] of byType) {
  const top = Math.max(...majors.keys());
  current.set(type, majors.get(top)!);
  supported.set(
    type,
    [top, top - 1].filter((m) => majors.has(m)),
  );
}

export const EVENT_TYPES: readonly string[] = Object.freeze([...byType.keys()]);

export function isKnownEventType(eventType: string): boolean {
  return byType.has(eventType);
}

/** "2.0" -> {major: 2, minor: 0}; a bare "2" is read as "2.0". */
export function parseVersion(version: string): { major: number; minor: number } | undefined {
  const m = /^(\d{1,6})(?:\.(\d{1,6}))?$/.exec(version);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: m[2] === undefined ? 0 : Number(m[2]) };
}

/** e.g. "2.0" for user.created; undefined for an unknown type */
export function currentVersion(eventType: string): string | undefined {
  const c = current.get(eventType);
  return c ? `${c.major}.${c.minor}` : undefined;
}

export function currentMajor(eventType: string): number | undefined {
  return current.get(eventType)?.major;
}

/** current major first, then the previous one when it is still defined */
export function supportedMajors(eventType: string): number[] {
  return [...(supported.get(eventType) ?? [])];
}

/** The contract validating `version` of `eventType`, if that major is supported. */
export function contractFor(eventType: string, version: string): Contract | undefined {
  const parsed = parseVersion(version);
  if (!parsed) return undefined;
  if (!supported.get(eventType)?.includes(parsed.major)) return undefined;
  return byType.get(eventType)?.get(parsed.major);
}

/** The current contract of a type (the editor's default, the demo's generator). */
export function currentContract(eventType: string): Contract | undefined {
  return current.get(eventType);
}

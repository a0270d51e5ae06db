// Validates one event (parsed JSON or raw message bytes) against the contract registry.
// Never throws: every input gets a status and violations, and the envelope's ids are extracted
// even from invalid events (the drain keys records by eventId and groups by eventType).
import { contractFor, currentContract, isKnownEventType, parseVersion, supportedMajors, type ValidationStatus, type Violation } from './registry';
import { violationsFromIssues } from './violations';

export interface ValidationResult {
  status: ValidationStatus;
  violations: Violation[];
  eventId?: string;
  eventType?: string;
  version?: string;
  correlationId?: string;
  /** the parsed event (unknown fields kept) when status is 'valid' */
  event?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Some producers put a correlation id in the body; AMQP headers are read by the caller. */
function correlationIdOf(value: Record<string, unknown>): string | undefined {
  const meta = value.metadata;
  return str(value.correlationId) ?? (isRecord(meta) ? str(meta.correlationId) : undefined);
}

export function validateEvent(value: unknown): ValidationResult {
  if (!isRecord(value)) {
    return { status: 'invalid', violations: [{ path: '$', message: 'must be a JSON object (an event envelope)' }] };
  }
  const result: ValidationResult = {
    status: 'invalid',
    violations: [],
    eventId: str(value.eventId),
    eventType: str(value.eventType),
    version: str(value.version),
    correlationId: correlationIdOf(value),
  };
  const { eventType, version } = result;

  if (eventType === undefined) {
    result.violations.push({ path: '$.eventType', message: 'is required and must be a string' });
    return result;
  }
  if (!isKnownEventType(eventType)) {
    result.status = 'unknown-type';
    result.violations.push({ path: '$.eventType', message: `unknown event type "${eventType}"` });
    return result;
  }

  const parsed = version === undefined ? undefined : parseVersion(version);
  // A missing or malformed version: report it along with everything else, against the current shape.
  const contract = parsed ? contractFor(eventType, version!) : currentContract(eventType);
  if (parsed && !contract) {
    result.status = 'unsupported-version';
    result.violations.push({
      path: '$.version',
      message: `major ${parsed.major} of ${eventType} is not supported (supported: ${supportedMajors(eventType).join(', ')})`,
    });
    return result;
  }

  const outcome = contract!.schema.safeParse(value);
  if (outcome.success && parsed) {
    result.status = 'valid';
    result.event = outcome.data;
    return result;
  }
  result.violations = outcome.success ? [{ path: '$.version', message: 'must be "<major>.<minor>"' }] : violationsFromIssues(outcome.error.issues, value);
  return result;
}

// One decoder for every call; fatal so that binary bodies are reported, not mangled.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function unparseable(message: string): ValidationResult {
  return { status: 'unparseable', violations: [{ path: '$', message }] };
}

/** Validates raw message bytes: strict UTF-8, then JSON, then the contract. */
export function validateBody(body: Uint8Array, contentType?: string): ValidationResult {
  const ct = contentType ? ` (content type ${contentType})` : '';
  if (body.byteLength === 0) return unparseable(`empty body${ct}`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return unparseable(`body is not UTF-8 text${ct}: binary content`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return unparseable(`body is not JSON${ct}: ${(error as Error).message}`);
  }
  return validateEvent(value);
}

// Turns zod issues into violations at JSONPath-like paths ("$.data.courseIds[0]").
import type { z } from 'zod';
import type { Violation } from './registry';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let node = input;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node === undefined;
}

/**
 * A missing field reads "is required" rather than zod's "expected string, received undefined".
 * Done here, on invalid events only: a per-parse error map would halve the speed of every parse.
 */
export function violationsFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown): Violation[] {
  return issues.map((issue) => ({
    path: jsonPath(issue.path),
    message: issue.code === 'invalid_type' && isMissing(input, issue.path) ? 'is required' : issue.message,
  }));
}

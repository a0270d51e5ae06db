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

export function violationsFromIssues(issues: readonly z.core.$ZodIssue[]): Violation[] {
  return issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
}

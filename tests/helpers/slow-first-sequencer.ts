// The order vitest runs test files in: the slow integration files first. Vitest runs the longest
// files first once it has timings cached from a run before (node_modules/.vite), but CI starts
// from a fresh clone, where it orders by file size: the minute-long files (a receiver down for a
// minute, PostgreSQL down 30 s, a SIGKILLed bulk job taken over) then began late and ran alone
// at the end. Started first, they wait while the short files run beside them.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files that take 20 s or more, slowest first (measured on the 2-core machine, 3 files at once). */
export const SLOW_FILES = [
  'tests/integration/drain-derivation.test.ts',
  'tests/integration/notifications-retry.test.ts',
  'tests/integration/bulk-transform.test.ts',
  'tests/integration/export-disconnect.test.ts',
  'tests/integration/bulk-takeover.test.ts',
  'tests/integration/drain-faults.test.ts',
  'tests/integration/drain-several-workers.test.ts',
  'tests/integration/shutdown-sigterm.test.ts',
  'tests/integration/bulk-crash.test.ts',
  'tests/integration/auth-security.test.ts',
];

const rank = (spec: TestSpecification): number => {
  const i = SLOW_FILES.findIndex((f) => spec.moduleId.endsWith(f));
  return i < 0 ? SLOW_FILES.length : i;
};

export class SlowFirstSequencer extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // vitest's own order (projects in turn, failed first, then by cached duration or size), with
    // the known slow files moved to the front of their project
    const sorted = await super.sort(files);
    const place = new Map(sorted.map((f, i) => [f, i]));
    return [...sorted].sort((a, b) => {
      const group = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (group !== 0 || a.project.name !== b.project.name) return place.get(a)! - place.get(b)!;
      return rank(a) - rank(b) || place.get(a)! - place.get(b)!;
    });
  }
}

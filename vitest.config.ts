import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = path.dirname(fileURLToPath(import.meta.url));

// The order vitest runs test files in (here: a file of its own would be an import Vite's
// native config loader cannot follow): the slow integration files first. Vitest runs the longest
// files first once it has timings cached from a run before (node_modules/.vite), but CI starts
// from a fresh clone, where it orders by file size: the minute-long files (a receiver down for a
// minute, PostgreSQL down 30 s, a SIGKILLed bulk job taken over) then began late and ran alone
// at the end. Started first, they wait while the short files run beside them.
/** Files that take 20 s or more, slowest first (measured on the 2-core machine, 3 files at once). */
const SLOW_FILES = [
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

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(root),
      'server-only': path.resolve(root, 'tests/helpers/empty-module.ts'),
    },
  },
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      // Integration files share the broker and PostgreSQL, three at a time on two cores: most of
      // the long ones wait (a receiver down for a minute, PostgreSQL down 30 s), and a third file
      // fills that wait (the suite: 391 s two at a time, 306 s three at a time).
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], maxWorkers: 3, sequence: { groupOrder: 1 } } },
    ],
  },
});

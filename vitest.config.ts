import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './tests/helpers/slow-first-sequencer';

const root = path.dirname(fileURLToPath(import.meta.url));

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

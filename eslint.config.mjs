// ESLint (flat config): Next's rules (React, hooks, core web vitals), typescript-eslint with type
// information, and the architecture as import rules: which folder may import which.
import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns: importing `group` from here breaks the layering. */
const forbid = (groups, message) => ({ group: groups, message });

/** Local rules: habits this codebase keeps that no published rule checks. */
const eventdesk = {
  rules: {
    'no-silent-catch': {
      meta: { type: 'problem', messages: { silent: 'An error swallowed without a word: log it, or say in a comment why it is safe to ignore.' } },
      create(context) {
        const check = (fn) => {
          if (fn.body.type === 'BlockStatement' && fn.body.body.length === 0 && context.sourceCode.getCommentsInside(fn.body).length === 0)
            context.report({ node: fn, messageId: 'silent' });
        };
        return {
          "CallExpression[callee.property.name='catch'] > ArrowFunctionExpression": check,
          "CallExpression[callee.property.name='catch'] > FunctionExpression": check,
        };
      },
    },
  },
};

export default defineConfig([
  globalIgnores(['.next/**', '.next-*/**', 'lib/generated/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'tmp/**']),
  ...nextVitals,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { eventdesk },
    rules: {
      'eventdesk/no-silent-catch': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // the codebase narrows unknown JSON by hand; these would demand casts everywhere
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // async functions that implement an async interface need not await anything
      '@typescript-eslint/require-await': 'off',
      // sign-in and an ended session reload the whole app on purpose (no state survives)
      '@next/next/no-location-assign-relative-destination': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  // Playwright's fixtures call their `use` argument: not React's hook
  { files: ['e2e/**'], rules: { 'react-hooks/rules-of-hooks': 'off' } },
  // test doubles (a failing consumer, a metrics server) are async callbacks by nature
  // (and implement async interfaces without awaiting anything)
  {
    files: ['tests/**', 'e2e/**', 'bench/**'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }], '@typescript-eslint/require-await': 'off' },
  },
  // The architecture, as import rules (README: "Layout").
  {
    files: ['components/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['@/lib/server/**', '@/lib/bus/**', '@/lib/actions/**', '@/lib/db/**', '@/lib/jobs/**'],
              'Components run in the browser: they reach the server through the HTTP API (hooks), never its modules.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/events/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['@/lib/*', '!@/lib/events', '@/app/**', '@/components/**'], 'lib/events is the contracts library: it imports nothing of the app.'),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/platform/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['@/lib/*', '!@/lib/platform', '!@/lib/events', '@/app/**', '@/components/**'],
              "lib/platform is EduPlatform's event library: it may use lib/events, nothing of the console.",
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/bus/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['@/app/**', '@/lib/api/**', '@/lib/server/**', '@/lib/actions/**', '@/components/**'],
              'lib/bus is broker work: no HTTP (lib/api), no read queries (lib/server), no operator actions (lib/actions), no app.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/actions/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['@/app/**', '@/components/**', '@/lib/api/**'],
              'lib/actions are operator actions: actor and validated input in, domain errors (lib/action-error.ts) out; no HTTP (lib/api), no app, no UI.',
            ),
          ],
        },
      ],
    },
  },
]);

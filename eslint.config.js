// ESLint for the whole repository (`npm run lint`, part of `npm test`): JavaScript's and typescript-eslint's
// recommended rules (syntactic, no type information: tsc already checks types), the rules of hooks for the renderer,
// and the import lines between engine/, electron/ and renderer/ (lint/boundaries.js, see DESIGN.md).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import boundaries, { nodeOnlyFiles } from './lint/boundaries.js';

export default defineConfig([
  globalIgnores(['out/', 'dist/', 'test-results/', 'playwright-report/', '.bench/', 'scratch-tmp/', 'test/fixtures/']),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a binding kept on purpose (a tuple slot, a type-level check, an ignored argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The code writes two side effects as one comma expression (`(field += c), i++`), which this rule cannot tell
      // from a value dropped by mistake.
      '@typescript-eslint/no-unused-expressions': 'off',
      // Control characters are matched on purpose (names that may not contain them, ANSI escapes in CLI output),
      // always written as escapes.
      'no-control-regex': 'off',
    },
  },
  {
    // Node for the host side, the tools and the tests; the engine's globals are held by boundaries/engine-globals.
    files: ['**/*.{js,mjs,cjs,ts,mts,cts}'],
    ignores: ['renderer/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests read untyped JSON, CLI output and third-party internals.
      '@typescript-eslint/no-explicit-any': 'off',
      // Patterns for column-aligned CLI output read best with the spaces as printed.
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      // A missing dependency is a stale value on screen: an error, not a warning.
      'react-hooks/exhaustive-deps': 'error',
    },
  },

  {
    plugins: { boundaries },
    settings: { boundaries: { nodeOnly: nodeOnlyFiles() } },
    rules: { 'boundaries/imports': 'error' },
  },
  {
    files: ['engine/**'],
    rules: { 'boundaries/engine-globals': 'error' },
  },
]);

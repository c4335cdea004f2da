// `npm run lint` (with `tsc -p tsconfig.test.json`, which typechecks the tests too): the
// recommended rules of ESLint and typescript-eslint over every TypeScript and script file we
// write, plus the promise rules that need types — a promise nobody awaits or catches is how a
// teardown or an event append goes missing without a trace.
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Buffer', 'fetch'].map((name) => [name, 'readonly']),
);

const testFiles = ['**/*.spec.ts', '**/test/**', '**/testing/**', '**/test-fixtures/**', 'tests/**', '**/*.bench.ts', 'infra/**', 'scripts/**', '*.config.*', '**/jest/**'];
const LOWER_THAN_TESTING = ['chromium', 'contracts', 'db', 'domain', 'messaging', 'runtime', 'stack'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` says "unused on purpose" (a destructured field left out, a required parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  { files: ['**/*.{js,mjs,cjs}'], languageOptions: { globals: nodeGlobals } },
  {
    // Each workspace declares what it imports, in its own package.json (the nearest one): a
    // service's code its dependencies, its tests and harnesses its devDependencies too.
    plugins: { 'import-x': importX },
    rules: { 'import-x/no-extraneous-dependencies': ['error', { devDependencies: testFiles }] },
  },
  // The packages @hangar/testing itself is built on cannot list it back (turbo refuses the
  // cycle): their tests get it through the workspace (the root lists it); only it is let through.
  ...LOWER_THAN_TESTING.map((pkg) => ({
    files: [`packages/${pkg}/src/**/*.spec.ts`],
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: testFiles, whitelist: ['@hangar/testing'] }],
    },
  })),
  {
    // Kysely's own advice for migrations: each runs against the schema of its day, not today's.
    files: ['packages/db/src/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests, their harnesses and the bench read the API's JSON answers as they come and assert
    // on them; typing each answer would restate the contracts the tests are there to check.
    files: ['**/*.spec.ts', '**/testing/**', '**/test/**', 'tests/**', '**/*.bench.ts', 'packages/bench/**', 'packages/stack/src/bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

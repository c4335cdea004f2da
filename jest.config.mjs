// Three tiers by file name (STYLE.md §9): *.spec.ts pure unit, *.int.spec.ts real infrastructure,
// *.e2e.spec.ts the whole stack through the gateway. Sources run through SWC as ES modules;
// workspace packages resolve to their TypeScript sources.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];
export const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@hangar/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // Node's, and it stops what a file's hooks started and left running (packages/testing/src/ownership.ts).
  testEnvironment: '<rootDir>/packages/testing/jest/environment.mjs',
  rootDir: '.',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{packages,apps}/*/src/**/*.spec.ts', '<rootDir>/infra/**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{packages,apps}/*/src/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.e2e.spec.ts'] },
  ],
  maxWorkers: 2,
  // A folder per run marks the run's processes; at the end, any still running is killed and
  // fails the run (the issue: fixture nats-servers outlived failed runs by the dozen).
  globalSetup: '<rootDir>/packages/testing/jest/global-setup.mjs',
  globalTeardown: '<rootDir>/packages/testing/jest/global-teardown.mjs',
  // Hooks start real infrastructure (Postgres, NATS, Chromium, whole stacks); tests assert
  // behaviour with `eventually`, not timings, so a generous ceiling only matters on failure.
  testTimeout: 120_000,
};

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
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@hangar/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  rootDir: '.',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{packages,apps}/*/src/**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{packages,apps}/*/src/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.e2e.spec.ts'] },
  ],
  maxWorkers: 2,
  // Hooks start real infrastructure (Postgres, NATS, Chromium, whole stacks); tests assert
  // behaviour with `eventually`, not timings, so a generous ceiling only matters on failure.
  testTimeout: 120_000,
};

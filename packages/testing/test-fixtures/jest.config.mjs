// The repository's jest setup (environment, global setup and teardown) around the fixture files
// here, which misbehave on purpose; src/ownership.int.spec.ts runs it and reads the outcome.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import root, { common } from '../../../jest.config.mjs';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export default {
  ...common,
  rootDir,
  testMatch: ['<rootDir>/packages/testing/test-fixtures/*.fixture.ts'],
  globalSetup: root.globalSetup,
  globalTeardown: root.globalTeardown,
};

// One folder per test run, under which every tempDir() of the run is made (src/infra.ts): its
// path marks the run's processes for the sweep at the end (global-teardown.mjs). Workers start
// after this and inherit the variable, as does every process the tests spawn.
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalSetup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-run-'));
  // Postgres and the browsers run as other users when the tests run as root: traversable.
  chmodSync(dir, 0o711);
  process.env.HANGAR_TEST_RUN_DIR = dir;
}

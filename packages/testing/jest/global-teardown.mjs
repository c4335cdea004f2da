// The suite must end with nothing of its own left running. Whatever is (a fixture that did not
// own its children) is killed, listed, and fails the run.
import { rmSync } from 'node:fs';
import { sweepRun } from './run-sweep.mjs';

export default async function globalTeardown() {
  const dir = process.env.HANGAR_TEST_RUN_DIR;
  if (!dir) return;
  const left = await sweepRun(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  if (left.length > 0) {
    const list = left.map(({ pid, cmd }) => `  ${pid} ${cmd}`).join('\n');
    process.stderr.write(`\n[hangar-testing] the run left ${left.length} process(es) running; killed them:\n${list}\n`);
    throw new Error(`the test run left ${left.length} process(es) running (listed above); a fixture does not stop what it started`);
  }
}

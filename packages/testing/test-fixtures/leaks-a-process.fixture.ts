import { spawn } from 'node:child_process';

// A process of the run nobody owns: the global teardown must find it (it carries the run's
// HANGAR_TEST_RUN_DIR), kill it and fail the run.
it('starts a process and forgets it', () => {
  spawn('sleep', [process.env.HANGAR_FIXTURE_SLEEP ?? '600'], { detached: true, stdio: 'ignore' }).unref();
});

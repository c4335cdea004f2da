// `npm test`: the unit and integration tiers on two workers, then the end-to-end tier on one.
// Each e2e file runs a whole stack (NATS, Postgres, the four services, Chromium) and many of
// them inject faults (kill -9 a scheduler, restart NATS, lose a node) with deadlines of a few
// seconds: two of them side by side on a 2-CPU machine pushed the load past 8 and made those
// deadlines miss, though each passed alone. Arguments (`npm test -- <paths or jest flags>`) run
// one jest with them instead.
import { spawnSync } from 'node:child_process';

const jest = (args) => spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', 'node_modules/jest/bin/jest.js', ...args], { stdio: 'inherit' }).status ?? 1;

const given = process.argv.slice(2);
if (given.length > 0) process.exit(jest(given));
const first = jest(['--selectProjects', 'unit', 'integration']);
const second = jest(['--selectProjects', 'e2e', '--maxWorkers', '1']);
process.exit(first || second);

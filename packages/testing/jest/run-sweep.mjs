// The last line of defence against leaked processes (the issue: 28 fixture nats-servers still
// running after two failed `npm test` runs). Every process of a test run carries the run's
// folder: in its command line (a temp dir under it: nats-server -sd, postgres -D, chromium
// --user-data-dir) or in its environment (HANGAR_TEST_RUN_DIR, inherited by services and CLIs).
import { readdirSync, readFileSync } from 'node:fs';

function read(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

const alive = (pid) => {
  const stat = read(pid, 'stat');
  return stat !== undefined && stat[stat.lastIndexOf(')') + 2] !== 'Z';
};

/** Live processes of the run, with their command lines; jest's own processes excepted. */
export function runProcesses(runDir) {
  const marker = `HANGAR_TEST_RUN_DIR=${runDir}`;
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmd = read(entry, 'cmdline')?.replaceAll('\0', ' ').trim();
    if (!cmd || /jest/.test(cmd)) continue;
    const env = read(entry, 'environ')?.split('\0') ?? [];
    if ((cmd.includes(runDir) || env.includes(marker)) && alive(entry)) found.push({ pid: Number(entry), cmd: cmd.slice(0, 300) });
  }
  return found;
}

/**
 * Waits a moment for the run's processes to go by themselves, then SIGKILLs what is left and
 * returns it (empty when the run left nothing behind).
 */
export async function sweepRun(runDir, graceMs = 3_000) {
  const deadline = Date.now() + graceMs;
  let left = runProcesses(runDir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = runProcesses(runDir);
  }
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return left;
}

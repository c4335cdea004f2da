import { processesMatching } from '@hangar/chromium';

/**
 * Kills what a previous run of the stack left on this data dir (it was SIGKILLed and could not
 * stop its children): a stale nats-server or Postgres would hold the ports and the store locks.
 */
export async function killStale(marker: string, timeoutMs = 5_000): Promise<number[]> {
  const pids = processesMatching(marker);
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (processesMatching(marker).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of processesMatching(marker)) signal(pid, 'SIGKILL');
  return pids;
}

/** A process that exited between the /proc scan and the signal is what we wanted anyway. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

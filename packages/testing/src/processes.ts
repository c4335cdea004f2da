import { commandLine, processesMatching } from '@hangar/chromium';

/** Live Chromium processes (a `--user-data-dir` in their command line) whose command line contains `marker`. */
export const chromiumProcesses = (marker = '') =>
  processesMatching('--user-data-dir=').filter((pid) => {
    const cmd = commandLine(pid);
    return cmd !== undefined && /chrom/i.test(cmd) && cmd.includes(marker);
  });

/** Whether a process with this pid exists (a zombie counts until it is reaped). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}${lastErr ? `; last error: ${String(lastErr)}` : ''}`);
}

import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes whose command line contains `marker` (e.g. a profiles root). */
export function processesMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // A zombie has exited; its parent has not reaped it yet.
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') pids.push(Number(entry));
      }
    } catch {
      // Gone between readdir and read.
    }
  }
  return pids;
}

export const chromiumProcesses = (marker = '') =>
  processesMatching('--user-data-dir=').filter((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return /chrom/i.test(cmd) && cmd.includes(marker);
    } catch {
      return false;
    }
  });

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

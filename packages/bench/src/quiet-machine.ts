import { readFileSync } from 'node:fs';

function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle + iowait
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** Share of all CPUs busy over the next `windowMs`. */
export async function cpuBusy(windowMs: number): Promise<number> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = cpuTimes();
  return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
}

/**
 * Waits until the machine is quiet (CPU under `busyBelow` over a window), so one block of
 * measurements does not pay for the background work of the previous one: after Hangar
 * iterations the browser-node refills its warm pool (a Chromium launch each), which would
 * otherwise land on the baseline's clock. Each side still pays its own background work within
 * its block. Gives up after `timeoutMs` and says so.
 */
export async function waitForQuiet(options: { busyBelow?: number; windowMs?: number; timeoutMs?: number } = {}): Promise<{ waitedMs: number; quiet: boolean; busy: number }> {
  const { busyBelow = 0.15, windowMs = 300, timeoutMs = 15_000 } = options;
  const t0 = performance.now();
  let busy = 1;
  while (performance.now() - t0 < timeoutMs) {
    busy = await cpuBusy(windowMs);
    if (busy < busyBelow) return { waitedMs: performance.now() - t0, quiet: true, busy };
  }
  return { waitedMs: performance.now() - t0, quiet: false, busy };
}

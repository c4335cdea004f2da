import { readFileSync } from 'node:fs';
import os from 'node:os';

const MiB = 2 ** 20;

/**
 * A session's Chromium: ~200 MiB PSS idle beside others, ~380 MiB alone, several times that on a
 * heavy page (shared/research/performance-reliability.md §2.2). Budgeted high on purpose: an
 * OOM kill takes every session of the node with it, a refused start only moves one elsewhere.
 */
export const MEMORY_PER_SESSION_BYTES = 512 * MiB;
/** The node process itself and the rest of the machine. */
export const MEMORY_RESERVED_BYTES = 512 * MiB;
/** An idle warm browser beside others: ~200 MiB PSS (§2.2), with some headroom. */
export const MEMORY_PER_WARM_BROWSER_BYTES = 256 * MiB;
/** Launching is CPU-bound (on 2 vCPU a burst starts ~2.5 contexts/s); idle sessions cost little CPU. */
export const SESSIONS_PER_CPU = 4;

export interface HostResources {
  /** May be fractional: a container's CPU quota. */
  cpus: number;
  memoryBytes: number;
}

/** The default HANGAR_MAX_SESSIONS: what CPU and memory both allow, and at least one. */
export function defaultMaxSessions({ cpus, memoryBytes }: HostResources): number {
  const byCpu = Math.floor(cpus * SESSIONS_PER_CPU);
  const byMemory = Math.floor((memoryBytes - MEMORY_RESERVED_BYTES) / MEMORY_PER_SESSION_BYTES);
  return Math.max(1, Math.min(byCpu, byMemory));
}

/**
 * The default HANGAR_WARM_POOL: one warm browser per CPU (refills run one at a time, ~0.3–0.4 s
 * of CPU each on 2 vCPU, so a bigger pool on few CPUs would rarely be full after a burst anyway),
 * never more than the node could hand out at once (maxSessions), and only in memory left over
 * after every session's budget: warm browsers are extra processes beside the sessions, and an
 * OOM kill would take the sessions with them. A 2-core / 24 GiB machine → 2; a 1 GiB container → 0.
 */
export function defaultWarmPoolSize({ cpus, memoryBytes }: HostResources, maxSessions: number): number {
  const byCpu = Math.max(1, Math.floor(cpus));
  const spare = memoryBytes - MEMORY_RESERVED_BYTES - maxSessions * MEMORY_PER_SESSION_BYTES;
  const byMemory = Math.floor(spare / MEMORY_PER_WARM_BROWSER_BYTES);
  return Math.max(0, Math.min(byCpu, maxSessions, byMemory));
}

/** cgroup v2 `cpu.max`: `"<quota> <period>"`, or `"max <period>"` for no limit. */
export function cpusFromCpuMax(text: string): number | undefined {
  const [quota, period = '100000'] = text.trim().split(/\s+/);
  return quotaOverPeriod(quota, period);
}

/** cgroup v1 `cpu.cfs_quota_us` (`-1`: no limit) over `cpu.cfs_period_us`. */
export function cpusFromCfs(quota: string, period: string): number | undefined {
  return quotaOverPeriod(quota.trim(), period.trim());
}

function quotaOverPeriod(quota: string | undefined, period: string): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && q > 0 && p > 0 ? q / p : undefined;
}

/**
 * What this process may use. `os.cpus()` and `os.totalmem()` describe the host, not the container:
 * a node in a 1 GiB container on a 24 GiB host would plan for 24 GiB and be OOM-killed with all its
 * sessions. So memory is narrowed by the cgroup limit (libuv reads it for v1 and v2) and CPUs by
 * the cgroup quota.
 */
export function hostResources(): HostResources {
  const total = os.totalmem();
  // Unconstrained reads as 0, or as a huge number (v1's "no limit" is ~2^63).
  const limit = process.constrainedMemory?.() ?? 0;
  return {
    cpus: Math.min(os.availableParallelism(), cgroupCpuLimit() ?? Infinity),
    memoryBytes: limit > 0 && limit < total ? limit : total,
  };
}

/**
 * The quota of this process's own cgroup; one set on an ancestor only is not seen. Inside a
 * container the cgroup's files usually sit at the mount's root, not under the path
 * /proc/self/cgroup names, so both are tried; the first file that exists decides.
 */
function cgroupCpuLimit(): number | undefined {
  const lines = read('/proc/self/cgroup')?.split('\n') ?? [];
  const v2 = lines.find((l) => l.startsWith('0::'))?.slice(3);
  if (v2 !== undefined) {
    for (const file of [`/sys/fs/cgroup${v2}/cpu.max`, '/sys/fs/cgroup/cpu.max']) {
      const text = read(file);
      if (text !== undefined) return cpusFromCpuMax(text);
    }
  }
  const v1 = lines.map((l) => l.split(':')).find(([, controllers]) => controllers?.split(',').includes('cpu'))?.[2];
  if (v1 === undefined) return undefined;
  for (const dir of [`/sys/fs/cgroup/cpu${v1}`, '/sys/fs/cgroup/cpu', `/sys/fs/cgroup/cpu,cpuacct${v1}`, '/sys/fs/cgroup/cpu,cpuacct']) {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    const period = read(`${dir}/cpu.cfs_period_us`);
    if (quota !== undefined && period !== undefined) return cpusFromCfs(quota, period);
  }
  return undefined;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

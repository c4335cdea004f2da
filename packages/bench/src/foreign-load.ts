import os from 'node:os';
import { listPids, readStat, type ProcStat } from '@hangar/chromium';

type Proc = Pick<ProcStat, 'ppid' | 'pgrp' | 'state' | 'cpuTicks' | 'comm'>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function snapshot(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const pid of listPids()) {
    const stat = readStat(pid); // undefined: exited between the listing and the read
    if (stat) procs.set(pid, stat);
  }
  return procs;
}

function descendantsOf(root: number, procs: Map<number, Proc>): Set<number> {
  const mine = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return mine;
}

export interface ForeignLoad {
  /** CPU used by processes outside this run's process tree, as a share of all CPUs. */
  cpuShare: number;
  /** Most foreign live (non-zombie) Chromium processes seen at once. */
  maxChromium: number;
  topCommands: string[];
}

/**
 * Other work on the machine (another test suite, another browser) lands in every figure. This
 * samples /proc once a second (more often would steal time from the measurements) and counts
 * the CPU of processes that are not this run's as foreign. This run's: descendants of the bench,
 * and members of any process group one of them ever led. The second matters because a torn-down
 * Chromium's helpers (and its crashpad handler, by design) are reparented to init, where they
 * spend their last CPU; they keep their group. Processes living less than one interval escape
 * the sampling, so the figure is a lower bound. Kernel threads (ppid 2) and pid 1 are left out.
 */
export class ForeignLoadMonitor {
  private last = snapshot();
  private phaseName = 'setup';
  private readonly phases = new Map<string, { ticks: number; ms: number; maxChromium: number; byComm: Map<string, number> }>();
  private readonly timer: NodeJS.Timeout;
  private lastAt = performance.now();
  /** Process groups this run created; see the class comment. */
  private readonly ownGroups = new Set<number>();

  /** `knownGroups`: groups the caller knows are its own (browsers it launched), seen or not. */
  constructor(
    private readonly knownGroups: ReadonlySet<number> = new Set(),
    private readonly intervalMs = 1_000,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  phase(name: string): void {
    this.sample();
    this.phaseName = name;
  }

  private sample(): void {
    const now = snapshot();
    const at = performance.now();
    const descendants = descendantsOf(process.pid, now);
    for (const pid of descendants) this.ownGroups.add(now.get(pid)!.pgrp);
    const mine = (pid: number, p: Proc) => descendants.has(pid) || this.ownGroups.has(p.pgrp) || this.knownGroups.has(p.pgrp);
    const stats = this.phases.get(this.phaseName) ?? { ticks: 0, ms: 0, maxChromium: 0, byComm: new Map() };
    let chromium = 0;
    for (const [pid, p] of now) {
      if (mine(pid, p) || pid === 1 || p.ppid === 2 || pid === 2) continue;
      if (/chrom/i.test(p.comm) && p.state !== 'Z') chromium++;
      const before = this.last.get(pid);
      if (!before) continue;
      const delta = p.cpuTicks - before.cpuTicks;
      if (delta <= 0) continue;
      stats.ticks += delta;
      stats.byComm.set(p.comm, (stats.byComm.get(p.comm) ?? 0) + delta);
    }
    stats.ms += at - this.lastAt;
    stats.maxChromium = Math.max(stats.maxChromium, chromium);
    this.phases.set(this.phaseName, stats);
    this.last = now;
    this.lastAt = at;
  }

  stop(): Record<string, ForeignLoad> {
    this.sample();
    clearInterval(this.timer);
    const cpus = os.availableParallelism();
    return Object.fromEntries(
      [...this.phases].map(([name, s]) => [
        name,
        {
          cpuShare: s.ms > 0 ? s.ticks / TICKS_PER_SECOND / ((s.ms / 1000) * cpus) : 0,
          maxChromium: s.maxChromium,
          topCommands: [...s.byComm].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, t]) => `${c} ${(t / TICKS_PER_SECOND).toFixed(1)} s`),
        },
      ]),
    );
  }
}

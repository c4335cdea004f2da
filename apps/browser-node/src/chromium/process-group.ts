import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  pgrp: number;
  /** Single-letter state from /proc/<pid>/stat; `Z` = zombie (exited, not yet reaped). */
  state: string;
  args: string[];
}

/** Every process visible in /proc that we may read; processes that vanish mid-scan are skipped. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(name), ...stat, args });
    } catch {
      // Exited between the two reads.
    }
  }
  return out;
}

const isLive = (p: ProcInfo) => p.state !== 'Z' && p.state !== 'X';

/** Sends `signal` to a whole process group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

interface StatFields {
  state: string;
  pgrp: number;
  /** Field 22, clock ticks since boot: with the pid, it names one process even after the pid is reused. */
  startTime: string;
}

/** State and process group of one process from /proc/<pid>/stat; undefined once it is gone. */
function readStat(pid: number): StatFields | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]), startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

const running = (stat: StatFields | undefined) => stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';

/** When a process started (see StatFields.startTime); undefined once it is gone. */
export const processStartTime = (pid: number): string | undefined => readStat(pid)?.startTime;

/** Live (non-zombie) processes whose owner is `uid`: a browser user's, wherever they went. */
export function processesOfUid(uid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (statSync(`/proc/${name}`).uid === uid && running(readStat(Number(name)))) out.push(Number(name));
    } catch {
      // Gone between the reads.
    }
  }
  return out;
}

/**
 * Live (non-zombie) members of a process group. Reads only each process's `stat`: a node with
 * many sessions has hundreds of Chromium processes, and this runs at every teardown.
 */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat?.pgrp === pgid && running(stat)) out.push(Number(name));
  }
  return out;
}

/**
 * Whether any process of the group still runs. `kill(-pgid, 0)` throwing ESRCH is the proof it is
 * gone; when it does not throw, the members may all be zombies: Chromium's helpers outlive their
 * parent by a moment and are re-parented to PID 1, and a PID 1 that does not reap (many container
 * inits, this project's CI sandbox) leaves them as zombies forever. A zombie runs nothing and holds
 * nothing but its pid, so only non-zombie members count.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  return groupMembers(pgid).length > 0;
}

/**
 * Polls until every group in `pgids` is gone; false if one still runs after `timeoutMs`. The
 * members are listed once, then only they are polled (a group that was sent SIGKILL gains no new
 * member: the kernel fails a fork racing a fatal signal); a last full scan confirms.
 */
export async function waitGroupsGone(pgids: Iterable<number>, timeoutMs: number, pollMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pending = [...pgids].flatMap((pgid) => (groupAlive(pgid) ? groupMembers(pgid).map((pid) => ({ pid, pgid })) : []));
    while (pending.length > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, pollMs));
      pending = pending.filter(({ pid, pgid }) => {
        const stat = readStat(pid);
        return running(stat) && stat!.pgrp === pgid;
      });
    }
    if (![...pgids].some(groupAlive)) return true;
    if (Date.now() > deadline) return false;
    // A member appeared between the scans: poll again, never spin.
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Live (non-zombie) processes whose arguments contain one starting with `prefix`. Chromium's
 * helpers rewrite their command line into one space-separated string (setproctitle), so an
 * argument inside that string counts too: a helper whose browser process is already gone is
 * still found.
 */
export function processesWithArgPrefix(prefix: string): ProcInfo[] {
  return listProcesses().filter((p) => isLive(p) && (p.args.some((a) => a.startsWith(prefix)) || p.args.join(' ').includes(` ${prefix}`)));
}

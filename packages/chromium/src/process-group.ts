import { isRunning, readStat } from './proc-stat.js';
import { listPids } from './processes.js';

/** Sends `signal` to a whole process group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** The process group this process belongs to. */
export function ownProcessGroup(): number {
  const stat = readStat('self');
  if (!stat) throw new Error('cannot read /proc/self/stat');
  return stat.pgrp;
}

/**
 * Live (non-zombie) members of a process group. Reads only each process's `stat`: a node with
 * many sessions has hundreds of Chromium processes, and this runs at every teardown.
 */
export function groupMembers(pgid: number): number[] {
  return listPids().filter((pid) => {
    const stat = readStat(pid);
    return stat?.pgrp === pgid && isRunning(stat);
  });
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
  const groups = [...pgids];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pending = groups.flatMap((pgid) => (groupAlive(pgid) ? groupMembers(pgid).map((pid) => ({ pid, pgid })) : []));
    while (pending.length > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, pollMs));
      pending = pending.filter(({ pid, pgid }) => {
        const stat = readStat(pid);
        return isRunning(stat) && stat!.pgrp === pgid;
      });
    }
    if (!groups.some(groupAlive)) return true;
    if (Date.now() > deadline) return false;
    // A member appeared between the scans: poll again, never spin.
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { groupMembers } from './process-group.js';

const run = promisify(execFile);
const CAP_SYS_NICE = 23n;

/** Linux scheduling policies (sched.h), as /proc/<pid>/task/<tid>/stat field 41 shows them. */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/**
 * Whether this process may move a thread from SCHED_IDLE back to SCHED_OTHER (CAP_SYS_NICE in its
 * effective set; without it Linux allows that only within RLIMIT_NICE, 0 by default). Root on a
 * host has it; root in a Docker container does not by default, nor does any other user. A node
 * that could not take idle scheduling back would hand sessions browsers that get CPU only when
 * nothing else wants it: such a node starts its refills at normal priority.
 */
export function canLeaveIdleScheduling(): boolean {
  try {
    const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return capEff !== undefined && ((BigInt(`0x${capEff}`) >> CAP_SYS_NICE) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Scheduling policy of each thread of a process; empty once it is gone. */
export function threadPolicies(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38])];
    } catch {
      return [];
    }
  });
}

/** Processes of the group with at least one thread still SCHED_IDLE. */
const idleMembers = (pgid: number) => groupMembers(pgid).filter((pid) => threadPolicies(pid).includes(SCHED_IDLE));

/**
 * Moves every thread of every process in the group back to SCHED_OTHER (`chrt --all-tasks`; Node
 * has no sched_setscheduler), keeping the nice values Chromium gave its threads. Rescans, because
 * Chromium may fork a helper from a still-idle parent meanwhile. False if some thread stayed idle.
 */
export async function leaveIdleScheduling(chrtPath: string, pgid: number, rounds = 5): Promise<boolean> {
  for (let round = 0; round < rounds; round++) {
    const idle = idleMembers(pgid);
    if (idle.length === 0) return true;
    // One small shell runs chrt for every pid: a spawn from this (large) process costs far more
    // than the forks a shell makes. A pid that is gone meanwhile fails alone.
    await run('/bin/sh', ['-c', 'for p do "$0" --other --all-tasks --pid 0 "$p" 2>/dev/null; done', chrtPath, ...idle.map(String)]).catch(() => undefined);
  }
  return idleMembers(pgid).length === 0;
}

import { readdirSync, readFileSync } from 'node:fs';
import { readStat } from './proc-stat.js';

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
    const stat = readStat(pid, Number(tid));
    return stat ? [stat.policy] : [];
  });
}

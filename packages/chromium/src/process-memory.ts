import { readFileSync } from 'node:fs';
import { groupMembers } from './process-group.js';

/** Proportional set size in bytes (shared pages divided among their sharers), 0 if gone. */
export function pssBytes(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** PSS of a whole process group: one browser's tree, when it was spawned detached. */
export const groupPssBytes = (pgid: number): number => groupMembers(pgid).reduce((sum, pid) => sum + pssBytes(pid), 0);

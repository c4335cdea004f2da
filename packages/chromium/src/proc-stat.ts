import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat (proc(5)) that Hangar reads. */
export interface ProcStat {
  pid: number;
  /** Field 2, the executable's name (at most 15 bytes); Chromium's helpers rename theirs. */
  comm: string;
  /** Field 3, one letter: `R`, `S`, `D`, …; `Z` = zombie (exited, not yet reaped), `X` = dead. */
  state: string;
  ppid: number;
  pgrp: number;
  /** Fields 14 + 15, user + system time in clock ticks (USER_HZ, 100 on Linux). */
  cpuTicks: number;
  /** Field 22, clock ticks since boot: with the pid, it names one process even after the pid is reused. */
  startTime: string;
  /** Field 41, the scheduling policy (sched.h): of the thread, when read from a task's stat. */
  policy: number;
}

/**
 * The one parser of a stat line. The command name (field 2) is in parentheses and may itself
 * contain spaces and ')': the fields after it start past the last ')'.
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  const f = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    startTime: f[19] ?? '',
    policy: Number(f[38]),
  };
}

/**
 * /proc/<pid>/stat, or /proc/<pid>/task/<tid>/stat for one thread; undefined once the process
 * is gone (or was never visible to us): scans race exits all the time, and an exit is no error.
 */
export function readStat(pid: number | 'self', tid?: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStat(text);
}

/** Whether a stat names a process that still runs: a zombie runs nothing and holds nothing but its pid. */
export const isRunning = (stat: Pick<ProcStat, 'state'> | undefined): boolean => stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';

/** Whether the process runs (neither gone nor a zombie). */
export const processRunning = (pid: number): boolean => isRunning(readStat(pid));

/** When a process started (see ProcStat.startTime); undefined once it is gone. */
export const processStartTime = (pid: number): string | undefined => readStat(pid)?.startTime;

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isRunning, readStat, type ProcStat } from './proc-stat.js';

export interface ProcInfo extends ProcStat {
  args: string[];
}

/** Pids of every process visible in /proc. */
export const listPids = (): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

function readCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** A process's arguments (/proc/<pid>/cmdline is NUL-separated); undefined once it is gone. */
export const processArgs = (pid: number): string[] | undefined => readCmdline(pid)?.split('\0').filter(Boolean);

/**
 * A process's command line as one string, each NUL a space (the last argument too, so a marker
 * like `-D <dir> ` matches a last argument); undefined once it is gone. Chromium's helpers
 * rewrite theirs into one space-separated string (setproctitle): this reads both alike.
 */
export const commandLine = (pid: number): string | undefined => readCmdline(pid)?.replaceAll('\0', ' ');

/** Every process visible in /proc that we may read; processes that vanish mid-scan are skipped. */
export function listProcesses(): ProcInfo[] {
  return listPids().flatMap((pid) => {
    const stat = readStat(pid);
    const args = stat && processArgs(pid);
    return stat && args ? [{ ...stat, args }] : [];
  });
}

/**
 * Live (non-zombie) processes whose arguments contain one starting with `prefix`. Chromium's
 * helpers rewrite their command line into one space-separated string (setproctitle), so an
 * argument inside that string counts too: a helper whose browser process is already gone is
 * still found.
 */
export function processesWithArgPrefix(prefix: string): ProcInfo[] {
  return listProcesses().filter((p) => isRunning(p) && (p.args.some((a) => a.startsWith(prefix)) || p.args.join(' ').includes(` ${prefix}`)));
}

/** Pids of live (non-zombie) processes other than this one whose command line contains `marker`. */
export function processesMatching(marker: string): number[] {
  // The command line first: it rules out almost every process, and a stat read is the dearer one.
  return listPids().filter((pid) => pid !== process.pid && commandLine(pid)?.includes(marker) === true && isRunning(readStat(pid)));
}

/** Live (non-zombie) processes whose owner is `uid`: a browser user's, wherever they went. */
export function processesOfUid(uid: number): number[] {
  return listPids().filter((pid) => {
    try {
      return statSync(`/proc/${pid}`).uid === uid && isRunning(readStat(pid));
    } catch {
      return false; // Gone between the reads.
    }
  });
}

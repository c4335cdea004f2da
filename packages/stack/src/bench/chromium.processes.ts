import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { subjects } from '@hangar/contracts';
import type { EventStore } from '@hangar/messaging';

interface ProcStat {
  pid: number;
  pgrp: number;
  state: string;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: the fields after it start past the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0]!, pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

const allPids = () => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);

/** Live members of a process group: a session's Chromium tree (the node spawns each detached). */
export function processGroup(pgid: number): number[] {
  return allPids().filter((pid) => {
    const s = stat(pid);
    return s !== undefined && s.pgrp === pgid && s.state !== 'Z';
  });
}

/** Proportional set size in bytes (shared pages divided among their sharers), 0 if gone. */
export function pssBytes(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const groupPssBytes = (pgid: number) => processGroup(pgid).reduce((sum, pid) => sum + pssBytes(pid), 0);

/** The Chromium pid a session runs, as its SessionStarted event recorded it. */
export async function sessionPid(store: EventStore, sessionId: string): Promise<number> {
  const events = await store.read(subjects.sessionEvents(sessionId));
  const started = events.find((e) => e.event.type === 'SessionStarted');
  if (!started || started.event.type !== 'SessionStarted') throw new Error(`no SessionStarted for ${sessionId}`);
  return started.event.data.pid;
}

/**
 * The browser's own DevTools address, bypassing the node: Chromium writes its port and browser
 * path to `<user-data-dir>/DevToolsActivePort`, and the node's command line names that dir.
 */
export function directDevtoolsUrl(pid: number): string {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const dir = args.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length);
  if (!dir) throw new Error(`pid ${pid} has no --user-data-dir`);
  const [port, browserPath] = readFileSync(path.join(dir, 'DevToolsActivePort'), 'utf8').trim().split('\n');
  return `ws://127.0.0.1:${port}${browserPath}`;
}

/** Live processes of any of the given groups, or whose command line mentions `marker`. */
export function leftovers(pgids: ReadonlySet<number>, marker: string): number[] {
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    const s = stat(pid);
    if (!s || s.state === 'Z') return false;
    if (pgids.has(s.pgrp)) return true;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

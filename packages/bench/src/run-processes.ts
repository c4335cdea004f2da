import { commandLine, isRunning, listPids, readStat } from '@hangar/chromium';
import { subjects } from '@hangar/contracts';
import type { EventStore } from '@hangar/messaging';

/** The Chromium pid a session runs, as its SessionStarted event recorded it. */
export async function sessionPid(store: EventStore, sessionId: string): Promise<number> {
  const events = await store.read(subjects.sessionEvents(sessionId));
  const started = events.find((e) => e.event.type === 'SessionStarted');
  if (!started || started.event.type !== 'SessionStarted') throw new Error(`no SessionStarted for ${sessionId}`);
  return started.event.data.pid;
}

/** Live processes of any of the given groups, or whose command line mentions `marker`. */
export function leftovers(pgids: ReadonlySet<number>, marker: string): number[] {
  return listPids().filter((pid) => {
    if (pid === process.pid) return false;
    const stat = readStat(pid);
    if (!stat || !isRunning(stat)) return false;
    return pgids.has(stat.pgrp) || commandLine(pid)?.includes(marker) === true;
  });
}

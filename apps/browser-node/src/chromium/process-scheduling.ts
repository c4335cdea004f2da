import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { groupMembers, SCHED_IDLE, threadPolicies } from '@hangar/chromium';

const run = promisify(execFile);

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

import { signalGroup } from '@hangar/chromium';

/** Process groups of every Chromium this process spawned and has not yet seen gone. */
const owned = new Set<number>();

export const ownGroup = (pgid: number) => void owned.add(pgid);
export const releaseGroup = (pgid: number) => void owned.delete(pgid);

/**
 * Last resort for an exit that skipped the orderly shutdown (an uncaught exception, a closer
 * that overran its grace period): synchronous, because it runs in `process.on('exit')`. Profile
 * dirs stay; the next start's orphan sweep ends their sessions and removes them.
 */
export function killOwnedGroupsSync(): void {
  for (const pgid of owned) {
    try {
      signalGroup(pgid, 'SIGKILL');
    } catch {
      // Nothing else can be done while exiting.
    }
  }
}

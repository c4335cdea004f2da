import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { subjects } from '@hangar/contracts';
import { SessionRuleViolation, sessionAggregate } from '@hangar/domain';
import { executeCommand, type EventStore } from '@hangar/messaging';
import type { Logger } from '@hangar/runtime';
import { ownProcessGroup, processesWithArgPrefix, signalGroup, waitGroupsGone } from '@hangar/chromium';
import { isWarmProfile, markedSession } from '../chromium/warm-profile.js';

export interface SweepOptions {
  profilesRoot: string;
  store: EventStore;
  logger: Logger;
  confirmExitMs?: number;
  /** How many leftover Chromium processes got SIGKILL (the node's metrics). */
  onOrphansKilled?: (count: number) => void;
}

/**
 * Runs before the node takes commands. A previous run of this node that died without its
 * shutdown (SIGKILL, OOM, power) left its Chromium trees running, detached as they are, and
 * their profile dirs behind. Only processes started with a profile under this node's own
 * `profilesRoot` are touched, so nodes sharing a host leave each other alone (warm browsers
 * included: their dirs are there too). Every leftover session profile dir names a session whose
 * browser is now gone: it ends ERROR / NODE_RESTARTED. A warm dir names one only if it had been
 * handed out (its marker file, warm-profile.ts); an idle one is just deleted.
 */
export async function sweepOrphans({ profilesRoot, store, logger, confirmExitMs = 5_000, onOrphansKilled }: SweepOptions): Promise<string[]> {
  const marker = `--user-data-dir=${profilesRoot}/`;
  const ownGroup = ownProcessGroup();
  const orphans = processesWithArgPrefix(marker);
  const groups = new Set(orphans.map((p) => p.pgrp).filter((g) => g > 1 && g !== ownGroup));
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  // A Chromium in our own group (not started by this code) is killed alone, never our group.
  for (const p of orphans) if (p.pgrp === ownGroup) process.kill(p.pid, 'SIGKILL');
  if (orphans.length > 0) {
    onOrphansKilled?.(orphans.length);
    const gone = (await waitGroupsGone(groups, confirmExitMs)) && processesWithArgPrefix(marker).length === 0;
    if (gone) logger.warn({ pids: orphans.map((p) => p.pid), groups: [...groups] }, 'killed chromium left by a previous run');
    else logger.error({ pids: processesWithArgPrefix(marker).map((p) => p.pid) }, 'chromium left by a previous run survives SIGKILL');
  }

  const dirs = await readdir(profilesRoot).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const correlationId = `node-restart-${randomUUID()}`;
  const ended: string[] = [];
  const warm: string[] = [];
  for (const name of dirs) {
    const dir = path.join(profilesRoot, name);
    let sessionId: string | undefined = name;
    if (isWarmProfile(name)) {
      try {
        sessionId = await markedSession(dir);
      } catch (err) {
        logger.error({ err, profileDir: dir }, 'could not read which session a warm profile served; kept for the next start');
        continue;
      }
    }
    if (sessionId === undefined) {
      warm.push(name);
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      continue;
    }
    try {
      subjects.sessionEvents(sessionId); // not a session id: nothing to end, just a stray dir
      await executeCommand(store, sessionAggregate, sessionId, { type: 'End', reason: 'NODE_RESTARTED' }, { correlationId });
      ended.push(sessionId);
    } catch (err) {
      if (!(err instanceof SessionRuleViolation && err.rule === 'NOT_FOUND') && !/invalid subject token/.test(String(err))) {
        // Keep the dir: the next start retries ending the session rather than forgetting it.
        logger.error({ err, sessionId }, 'could not end a session left by a previous run');
        continue;
      }
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
  if (warm.length > 0) logger.warn({ profiles: warm }, 'removed idle warm profiles left by a previous run');
  if (dirs.length > warm.length) logger.warn({ sessionIds: ended, correlationId }, 'ended sessions left by a previous run');
  return ended;
}

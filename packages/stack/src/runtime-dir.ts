import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { StartFailure } from './start-failure.js';

/** Where a root stack keeps what other OS users must reach: Postgres's cluster, the nodes' browser folders, the Postgres binaries. */
export const HANGAR_STATE_ROOT = '/var/lib/hangar';

export const runningAsRoot = (): boolean => process.getuid?.() === 0;

/**
 * As root, Postgres runs as the `postgres` user and browsers as users of their own; none of them
 * can traverse a 0700 home, where a clone usually lives (the issue: `initdb EACCES` on a fresh
 * machine). Their files go to a root-owned 0711 tree under /var/lib/hangar instead, one folder
 * per data dir. Without root everything runs as one user, and `<dataDir>/run` is reachable.
 */
export function defaultRuntimeDir(dataDir: string): string {
  if (!runningAsRoot()) return path.join(dataDir, 'run');
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(HANGAR_STATE_ROOT, 'stacks', key);
}

/**
 * Creates each missing folder on the way to `dir` as 0711: traversable by the users that run
 * Postgres and the browsers, not listable by anyone. A folder that exists already is never
 * chmodded: it is not ours (the old Postgres start widened the data dir's parent to 0755, a
 * user's home folder among them).
 */
export function makeTraversableDirs(dir: string, mode = 0o711): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      // Another start created it a moment ago: theirs, then.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    chmodSync(d, mode); // mkdir's mode is cut by the umask
  }
}

/**
 * The runtime dir, ready: created if missing, and (as root) reachable by other users along the
 * whole path and writable by root alone, since root creates and chowns files inside it.
 */
export function prepareRuntimeDir(dir: string): void {
  try {
    makeTraversableDirs(dir);
  } catch (err) {
    throw new StartFailure('runtime', `cannot create ${dir}: ${(err as Error).message} (set HANGAR_RUNTIME_DIR)`);
  }
  if (!runningAsRoot()) return;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode & 0o777;
    if ((mode & 0o001) === 0) {
      throw new StartFailure(
        'runtime',
        `${d} (mode ${mode.toString(8).padStart(4, '0')}) cannot be traversed by the users Postgres and the browsers run as; set HANGAR_RUNTIME_DIR to a folder outside it, e.g. ${HANGAR_STATE_ROOT}/stacks/<name>`,
      );
    }
    if (d === path.dirname(d)) break;
  }
  const own = statSync(dir);
  if (own.uid !== 0 || (own.mode & 0o022) !== 0) {
    throw new StartFailure('runtime', `${dir} must be owned and writable by root alone (set HANGAR_RUNTIME_DIR to a folder of its own)`);
  }
}

/** The data dir (secrets, NATS's store): private to whoever runs the stack when we create it. */
export function prepareDataDir(dataDir: string): void {
  if (existsSync(dataDir)) return;
  try {
    mkdirSync(dataDir, { recursive: true });
    chmodSync(dataDir, 0o700);
  } catch (err) {
    throw new StartFailure('data dir', `cannot create ${dataDir}: ${(err as Error).message} (set HANGAR_DATA_DIR)`);
  }
}

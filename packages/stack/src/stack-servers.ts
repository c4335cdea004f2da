import { existsSync } from 'node:fs';
import path from 'node:path';
import { findNatsServer } from '@hangar/runtime';
import { startNatsServer, type RunningNats } from './nats-server.js';
import { startEmbeddedPostgres, type RunningPostgres } from './postgres.js';
import { asStartFailure, StartFailure } from './start-failure.js';

export interface ServerDirs {
  /** nats-server's store: `<dataDir>/nats`. */
  nats: string;
  /** The cluster: `<runtimeDir>/postgres`, or `<dataDir>/postgres` where an older version made it. */
  postgres: string;
}

export function serverDirs(dataDir: string, runtimeDir: string): ServerDirs {
  const legacy = path.join(dataDir, 'postgres');
  // Kind to existing installs: a cluster the stack made in the data dir before the runtime dir
  // existed stays where it is (its data would otherwise seem lost).
  const postgres = existsSync(path.join(legacy, 'PG_VERSION')) ? legacy : path.join(runtimeDir, 'postgres');
  return { nats: path.join(dataDir, 'nats'), postgres };
}

/** Told about each server the moment it is up, so that its stop is registered at once. */
export interface ServersUp {
  nats(server: RunningNats): void;
  postgres(server: RunningPostgres): void;
}

/**
 * NATS and Postgres (each unless an external URL is given), started side by side. Each one is
 * handed to `up` the moment it is up, and a failure waits for the other start to settle before
 * it is thrown: a Promise.all here once left nats-server running after Postgres failed, its stop
 * registered only once both had started.
 */
export async function startServers(options: { natsUrl?: string | undefined; databaseUrl?: string | undefined }, dirs: ServerDirs, up: ServersUp): Promise<void> {
  const starts = [
    options.natsUrl
      ? Promise.resolve(undefined)
      : (async () => {
          const binary = findNatsServer();
          if (!binary) throw new StartFailure('nats', 'nats-server not found (apt-get install -y nats-server, or set NATS_URL)');
          up.nats(await startNatsServer({ binary, dataDir: dirs.nats }));
        })(),
    options.databaseUrl
      ? Promise.resolve(undefined)
      : (async () => {
          up.postgres(await startEmbeddedPostgres({ dataDir: dirs.postgres }));
        })(),
  ] as const;
  const [nats, postgres] = await Promise.allSettled(starts);
  if (nats.status === 'rejected') throw asStartFailure('nats', nats.reason);
  if (postgres.status === 'rejected') throw asStartFailure('postgres', postgres.reason);
}

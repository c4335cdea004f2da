import { randomUUID } from 'node:crypto';
import { repositories, type Database, type Kysely, type Repositories } from '@hangar/db';
import { apiKeyPrefix, hashApiKey } from '@hangar/domain';
import type { EventStore } from '@hangar/messaging';
import { createLogger, type Logger } from '@hangar/runtime';
import { freePort } from '@hangar/stack';
import { startTestNats, startTestPostgres, tempDir, type TestNats, type TestPostgres } from '@hangar/testing';
import { startGateway, type RunningGateway } from '../app.factory.js';
import { gatewayEnvSchema, type GatewayEnv } from '../env.js';

export interface Infra {
  nats: TestNats;
  /** Where nats-server keeps its store: `<natsDir>/nats` (a restart reuses it). */
  natsDir: string;
  postgres: TestPostgres;
  /** Embedded Postgres's data dir: `<pgDir>/pg`. */
  pgDir: string;
  db: Kysely<Database>;
  repos: Repositories;
  store: EventStore;
  logger: Logger;
  /** Registers a cleanup for `stop()`, which runs them in reverse order. */
  defer(cleanup: () => Promise<unknown> | unknown): void;
  /**
   * Registers the closing of something that uses the infrastructure (a gateway, a fake
   * scheduler): these run first, while NATS and Postgres are still up to say goodbye to.
   */
  deferApp(close: () => Promise<unknown> | unknown): void;
  stop(): Promise<void>;
}

/**
 * Real Postgres (embedded, from npm) and a real nats-server with JetStream, on free ports in temp
 * dirs. `stop()` undoes everything it and `defer` set up, even after a failed start, and keeps
 * going when one cleanup fails so no process is left behind.
 */
export async function startInfra(): Promise<Infra> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const apps: (() => Promise<unknown> | unknown)[] = [];
  const stop = async () => {
    for (const cleanup of [...apps.splice(0).reverse(), ...cleanups.splice(0).reverse()]) {
      await Promise.resolve().then(cleanup).catch(() => undefined);
    }
  };
  try {
    const natsDir = tempDir('hangar-gateway-nats-');
    const pgDir = tempDir('hangar-gateway-pg-');
    // Each stop is registered as soon as its server is up, and a failure waits for the other
    // start to settle: with Promise.all, a Postgres that failed first ran stop() while NATS was
    // still starting, and the nats-server that came up after it was never stopped.
    const [natsStart, postgresStart] = await Promise.allSettled([
      startTestNats(natsDir).then((n) => (cleanups.push(() => n.stop()), n)),
      startTestPostgres(pgDir).then((p) => (cleanups.push(() => p.stop()), p)),
    ]);
    if (natsStart.status === 'rejected') throw natsStart.reason;
    if (postgresStart.status === 'rejected') throw postgresStart.reason;
    const [nats, postgres] = [natsStart.value, postgresStart.value];
    const logger = createLogger('gateway-it', process.env.LOG_LEVEL ?? 'silent');
    return {
      nats,
      natsDir,
      postgres,
      pgDir,
      db: postgres.db,
      repos: repositories(postgres.db),
      store: nats.store,
      logger,
      defer: (c) => void cleanups.push(c),
      deferApp: (c) => void apps.push(c),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export const SIGNING_SECRET = 'integration-test-signing-secret';
/** What the gateway keys its per-connect node tokens with (a fake node can verify them). */
export const INTERNAL_SECRET = 'integration-test-internal-secret';

export async function gatewayEnv(infra: Infra, overrides: Record<string, string> = {}): Promise<GatewayEnv> {
  return gatewayEnvSchema.parse({
    NATS_URL: infra.nats.url,
    DATABASE_URL: infra.postgres.url,
    HANGAR_HOST: '127.0.0.1',
    HANGAR_PORT: String(await freePort()),
    HANGAR_SIGNING_SECRET: SIGNING_SECRET,
    HANGAR_INTERNAL_SECRET: INTERNAL_SECRET,
    HANGAR_COMMAND_TIMEOUT_MS: '2000',
    // A folder of the test's own, never the host's default artifact store.
    HANGAR_ARTIFACT_DIR: tempDir('hangar-gateway-artifacts-'),
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** Boots the gateway in-process against the infra; it is closed by `infra.stop()`. */
export async function bootGateway(infra: Infra, overrides: Record<string, string> = {}): Promise<RunningGateway> {
  const gateway = await startGateway(await gatewayEnv(infra, overrides), infra.logger);
  infra.deferApp(() => gateway.close());
  return gateway;
}

export interface SeededProject {
  projectId: string;
  apiKey: string;
}

/**
 * Project and key rows written straight through the repositories: these tests exercise the
 * gateway alone, without a projector turning ProjectCreated/ApiKeyIssued into rows.
 */
export async function seedProjectRows(repos: Repositories, options: { concurrency?: number; defaultTimeout?: number } = {}): Promise<SeededProject> {
  const projectId = randomUUID();
  const apiKey = `hgr_test_${randomUUID()}`;
  const now = new Date().toISOString();
  await repos.projects.insert({
    id: projectId,
    name: `project ${projectId.slice(0, 8)}`,
    ownerId: 'owner-it',
    concurrency: options.concurrency ?? 3,
    defaultTimeout: options.defaultTimeout ?? 300,
    createdAt: now,
    updatedAt: now,
  });
  await repos.apiKeys.insert({ id: randomUUID(), projectId, keyHash: hashApiKey(apiKey), prefix: apiKeyPrefix(apiKey), createdAt: now });
  return { projectId, apiKey };
}

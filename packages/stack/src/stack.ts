import path from 'node:path';
import { createDb, ensureDatabase, migrateToLatest, type Database, type Kysely } from '@hangar/db';
import { connectNats, ensureEventStream, EventStore, type NatsConnection } from '@hangar/messaging';
import { withTimeout } from './free-port.js';
import { startNatsServer, type RunningNats } from './nats-server.js';
import { startEmbeddedPostgres, type RunningPostgres } from './postgres.js';
import { defaultRuntimeDir, makeTraversableDirs, prepareDataDir, prepareRuntimeDir } from './runtime-dir.js';
import { stackSecrets } from './secrets.js';
import { seedProject, type ProjectSeed } from './seed.js';
import { startService, type LogSink, type RunningService, type ServiceName } from './services.js';
import { serverDirs, startServers } from './stack-servers.js';
import { asStartFailure, step, StartFailure } from './start-failure.js';
import { findChromium } from '@hangar/chromium';
import { findNatsServer } from '@hangar/runtime';
import { waitForNodes } from './wait-for-nodes.js';

export interface StackOptions {
  /** Secrets and NATS's store; 0700 when the stack creates it. */
  dataDir: string;
  /**
   * What runs as other OS users (Postgres's cluster, the nodes' browser folders) lives here;
   * default: runtime-dir.ts (`/var/lib/hangar/stacks/<hash>` as root, `<dataDir>/run` otherwise).
   */
  runtimeDir?: string | undefined;
  /** Gateway port; 0 picks a free one. */
  port: number;
  host?: string;
  apiKey?: string | undefined;
  concurrency: number;
  /** The seeded project's create rate (sessions per minute); unset: no rate limit. */
  createRatePerMinute?: number | undefined;
  nodes: number;
  /** Scheduler processes: one leads (NATS KV lease), the others stand by. */
  schedulers?: number;
  databaseUrl?: string | undefined;
  natsUrl?: string | undefined;
  /**
   * The event stream's replicas (HANGAR_STREAM_REPLICAS), for the stack's own check and every
   * service's: 3 on a three-server cluster (`natsUrl: 'nats://a,nats://b,nats://c'`). Default 1;
   * a stream with more keeps them.
   */
  streamReplicas?: number | undefined;
  chromePath?: string | undefined;
  logLevel?: string;
  /** Extra environment per service: tests inject short timeouts here. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Extra environment for one process by label (e.g. `browser-node-3`: another region). */
  labelEnv?: Record<string, Record<string, string>>;
  log: LogSink;
  /** A service kept crashing (5 times within a minute): the stack gave up restarting it. */
  onGiveUp?: (label: string) => void;
  /** Aborted (Ctrl-C during the start): the start stops what it started and fails. */
  signal?: AbortSignal;
}

export interface Stack {
  apiUrl: string;
  apiKey: string;
  projectId: string;
  natsUrl: string;
  databaseUrl: string;
  dataDir: string;
  runtimeDir: string;
  /** The fs artifact store's folder every service of the stack shares (HANGAR_ARTIFACT_DIR). */
  artifactDir: string;
  services: Map<string, RunningService>;
  nc: NatsConnection;
  store: EventStore;
  db: Kysely<Database>;
  seedProject(seed: ProjectSeed): Promise<{ projectId: string; apiKey: string }>;
  /** Starts (or restarts) one service by its label, e.g. `browser-node-1`. */
  startService(label: string): RunningService;
  /** The embedded nats-server, when the stack runs one (fault-injection tests stop and restart it). */
  nats?: { stop(): Promise<void>; start(): Promise<void> };
  /** The embedded Postgres, likewise. */
  postgres?: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

/**
 * The whole of Hangar on one host: what `npm start` runs and what end-to-end tests drive. A start
 * that fails stops everything it started, then throws a StartFailure saying what failed.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const chromePath = findChromium(options.chromePath);
  if (!chromePath) {
    throw new StartFailure(
      'chromium',
      options.chromePath ? `CHROME_PATH=${options.chromePath} is not an executable file (fix or unset CHROME_PATH)` : 'not found (apt-get install -y chromium, or set CHROME_PATH)',
    );
  }
  prepareDataDir(options.dataDir);
  const runtimeDir = options.runtimeDir ?? defaultRuntimeDir(options.dataDir);
  prepareRuntimeDir(runtimeDir);
  const secrets = await step('data dir', () => stackSecrets(options.dataDir, { apiKey: options.apiKey }));
  const dirs = serverDirs(options.dataDir, runtimeDir);
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err) => options.log(`[stack] cleanup failed: ${String(err)}`));
  };
  const interrupted = new Promise<never>((_, reject) => {
    const abort = () => reject(new StartFailure('stack', 'interrupted'));
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
  });
  interrupted.catch(() => undefined);
  const checkInterrupted = () => {
    if (options.signal?.aborted) throw new StartFailure('stack', 'interrupted');
  };

  try {
    let nats: RunningNats | undefined;
    let postgres: RunningPostgres | undefined;
    // Each cleanup stops whichever server runs by then: a fault-injection test may have
    // restarted it (stack.nats.start() below), and the restarted one must not outlive the stack.
    await startServers(options, dirs, {
      nats: (server) => {
        nats = server;
        cleanups.push(() => nats!.stop());
      },
      postgres: (server) => {
        postgres = server;
        cleanups.push(() => postgres!.stop());
      },
    });
    const natsUrl = options.natsUrl ?? nats!.url;
    const databaseUrl = options.databaseUrl ?? postgres!.url;

    checkInterrupted();
    await step('postgres', () => ensureDatabase(databaseUrl));
    const db = createDb(databaseUrl, { max: 4 });
    cleanups.push(() => db.destroy());
    await step('migrations', () => migrateToLatest(db));
    const nc = await step('nats', () => connectNats(natsUrl, 'hangar-stack'));
    cleanups.push(() => nc.drain().catch(() => undefined));
    const store = await step('nats', async () => {
      await ensureEventStream(nc, { replicas: options.streamReplicas ?? 1 });
      return EventStore.create(nc);
    });
    checkInterrupted();
    // The nodes' folders: browsers running as users of their own must traverse this path.
    makeTraversableDirs(path.join(runtimeDir, 'nodes'));

    const host = options.host ?? '127.0.0.1';
    const artifactDir = path.join(path.resolve(options.dataDir), 'artifacts');
    const common: Record<string, string> = {
      NATS_URL: natsUrl,
      LOG_LEVEL: options.logLevel ?? 'info',
      // One folder for every service's artifact store: the nodes and the archiver write, the gateway reads.
      HANGAR_ARTIFACT_DIR: artifactDir,
      // Every service ensures the stream at its start: each must ask for the same replicas.
      ...(options.streamReplicas === undefined ? {} : { HANGAR_STREAM_REPLICAS: String(options.streamReplicas) }),
    };
    // A browser must not reach Hangar's internal services: Postgres here (the nodes add NATS and
    // their own ports). Not the gateway: here it is also the public endpoint, which connectUrls
    // name and which a session's own extension connects to from inside the browser (Stagehand 4's
    // does), authenticated like any client.
    const ownServices = [postgresService(databaseUrl), options.env?.['browser-node']?.HANGAR_EGRESS_SERVICES].filter(Boolean).join(',');
    const specs = new Map<string, { service: ServiceName; env: Record<string, string> }>();
    specs.set('projector', { service: 'projector', env: { ...common, DATABASE_URL: databaseUrl, ...options.env?.projector } });
    for (let i = 1; i <= (options.schedulers ?? 1); i++) {
      specs.set(`scheduler-${i}`, { service: 'scheduler', env: { ...common, ...options.env?.scheduler } });
    }
    for (let i = 1; i <= options.nodes; i++) {
      specs.set(`browser-node-${i}`, {
        service: 'browser-node',
        env: {
          ...common,
          HANGAR_NODE_ID: `node-${i}`,
          HANGAR_NODE_DATA_DIR: path.join(runtimeDir, 'nodes', `node-${i}`),
          CHROME_PATH: chromePath,
          HANGAR_INTERNAL_SECRET: secrets.internalSecret,
          HANGAR_CONTEXT_KEY: secrets.contextKey,
          ...options.env?.['browser-node'],
          HANGAR_EGRESS_SERVICES: ownServices,
        },
      });
    }
    specs.set('gateway', {
      service: 'gateway',
      env: {
        ...common,
        DATABASE_URL: databaseUrl,
        // 0: the gateway binds any free port and reports it (below); restarts keep that port.
        HANGAR_PORT: String(options.port ?? 0),
        HANGAR_HOST: host,
        HANGAR_SIGNING_SECRET: secrets.signingSecret,
        HANGAR_INTERNAL_SECRET: secrets.internalSecret,
        ...options.env?.gateway,
      },
    });

    let gatewayListening!: (port: number) => void;
    const gatewayPort = new Promise<number>((resolve) => (gatewayListening = resolve));
    const services = new Map<string, RunningService>();
    const crashes = new Map<string, number[]>();
    let stopping = false;
    // Until the start is done, an exit fails the start (below) instead of being restarted.
    let started = false;
    // Supervision, like compose's `restart: unless-stopped`: a service that exits unasked (a
    // scheduler that lost its lease, a crash) is started again; one that keeps crashing is not.
    const launch = (label: string): RunningService => {
      const spec = specs.get(label);
      if (!spec) throw new Error(`no service ${label}`);
      const svc = startService(spec.service, label, { ...spec.env, ...options.labelEnv?.[label] }, options.log);
      services.set(label, svc);
      if (spec.service === 'gateway') {
        svc.process.on('message', (message: { type?: string; port?: number }) => {
          if (message?.type !== 'listening' || !message.port) return;
          spec.env.HANGAR_PORT = String(message.port);
          gatewayListening(message.port);
        });
      }
      void svc.exited.then((code) => {
        if (!started || stopping || svc.stopRequested || services.get(label) !== svc) return;
        // Exit 0 is a service finishing on purpose (a drained browser-node): leave it down.
        if (code === 0) return options.log(`[stack] ${label} finished (exit 0); not restarting it`);
        const recent = [...(crashes.get(label) ?? []), Date.now()].filter((t) => t > Date.now() - 60_000);
        crashes.set(label, recent);
        if (recent.length >= 5) {
          options.log(`[stack] ${label} exited ${recent.length} times within a minute (last: ${String(code)}); not restarting it`);
          options.onGiveUp?.(label);
          return;
        }
        options.log(`[stack] ${label} exited (${String(code)}); restarting it`);
        setTimeout(() => {
          if (!stopping && services.get(label) === svc) launch(label);
        }, 250);
      });
      return svc;
    };
    cleanups.push(async () => {
      stopping = true;
      // Gateway first (no new work), nodes next (they end their sessions), then the rest.
      const order = [...services.keys()].sort((a, b) => rank(a) - rank(b));
      for (const label of order) await services.get(label)!.stop();
    });
    for (const label of specs.keys()) launch(label);

    // A service that dies while we wait fails the start at once, in its own words when it said
    // why (an IPC `fatal` message: `port 3000 is in use (set HANGAR_PORT)`), its logs above.
    const died = new Promise<never>((_, reject) => {
      for (const [label, svc] of services) {
        void svc.settled.then((code) => {
          if (!svc.stopRequested) reject(new StartFailure(label, svc.fatal ?? `exited during start (${typeof code === 'number' ? `exit code ${code}` : code}); its log is above`));
        });
      }
    });
    died.catch(() => undefined);
    const port = await Promise.race([
      (async () => {
        const listening = await step('gateway', () => withTimeout(gatewayPort, 30_000, 'did not report listening within 30 s; its log is above'));
        await step('browser-node', () => waitForNodes(nc, options.nodes, 30_000));
        return listening;
      })(),
      died,
      interrupted,
    ]);
    const seeded = await step('seed', () =>
      seedProject(store, db, {
        projectId: secrets.projectId,
        apiKey: secrets.apiKey,
        concurrency: options.concurrency,
        createRatePerMinute: options.createRatePerMinute,
      }),
    );
    started = true;

    return {
      apiUrl: `http://${host}:${port}`,
      apiKey: seeded.apiKey,
      projectId: seeded.projectId,
      natsUrl,
      databaseUrl,
      dataDir: options.dataDir,
      runtimeDir,
      artifactDir,
      services,
      nc,
      store,
      db,
      seedProject: (seed) => seedProject(store, db, seed),
      startService: launch,
      ...(nats
        ? {
            nats: {
              stop: () => nats!.stop(),
              start: async () => {
                nats = await startNatsServer({ binary: findNatsServer()!, dataDir: dirs.nats, port: nats!.port });
              },
            },
          }
        : {}),
      ...(postgres
        ? {
            postgres: {
              stop: () => postgres!.stop(),
              start: async () => {
                postgres = await startEmbeddedPostgres({ dataDir: dirs.postgres, port: postgres!.port });
              },
            },
          }
        : {}),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw asStartFailure('stack', err);
  }
}

function rank(label: string): number {
  if (label === 'gateway') return 0;
  if (label.startsWith('browser-node')) return 1;
  if (label === 'scheduler') return 2;
  return 3;
}

/** host:port of the Postgres a database URL names (5432 when it names none), or undefined for a socket path. */
function postgresService(databaseUrl: string): string | undefined {
  try {
    const url = new URL(databaseUrl);
    return url.hostname ? `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || 5432}` : undefined;
  } catch {
    return undefined;
  }
}

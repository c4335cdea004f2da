import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findNatsServer, waitForPort } from '@hangar/stack';
import { tempDir } from './infra.js';
import { own } from './ownership.js';
import { eventually } from './processes.js';

export interface ClusterServer {
  /** Its `server_name`, as JetStream names stream leaders and peers (`n1`, `n2`, `n3`). */
  name: string;
  url: string;
  /** The monitoring port (`/healthz`, `/jsz`). */
  monitorPort: number;
  readonly running: boolean;
}

export interface TestNatsCluster {
  servers: ClusterServer[];
  /** Every server's client URL, comma-separated, as NATS_URL takes them. */
  url: string;
  /** SIGKILL, like a host that dies: no shutdown, no goodbye on the routes. */
  kill(name: string): Promise<void>;
  /** Starts a killed server again on its ports, config and store: it rejoins and catches up. */
  restart(name: string): Promise<void>;
  /** Resolves once every running server says `/healthz` ok: JetStream has a meta leader and the server is current. */
  healthy(timeoutMs?: number): Promise<void>;
  /** The server leading JetStream's meta group (stream placement, API requests), by `server_name`. */
  metaLeader(): Promise<string>;
  stop(): Promise<void>;
}

interface Member extends ClusterServer {
  port: number;
  routePort: number;
  config: string;
  child: ChildProcess | undefined;
  exited: Promise<void>;
  stderr: string;
}

/** Whether nothing listens on `port` on loopback right now. */
const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * `n` distinct free ports below Linux's ephemeral range (32768–60999). A server's ports must stay
 * its own across a kill and a restart (the routes name them), and ports the OS hands out for
 * port 0 are also what every outgoing connection meanwhile gets; nor are two calls for port 0
 * guaranteed to differ.
 */
async function clusterPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(port) && (await bindable(port))) ports.add(port);
  }
  return [...ports];
}

/** `sync_interval` (fsync every write, as infra/nats/cluster.conf asks) exists from nats-server 2.10; Debian 12 ships 2.9. */
function supportsSyncInterval(binary: string): boolean {
  const version = /v?(\d+)\.(\d+)/.exec(execFileSync(binary, ['--version'], { encoding: 'utf8' }));
  return version !== null && (Number(version[1]) > 2 || (Number(version[1]) === 2 && Number(version[2]) >= 10));
}

/** One server's config, shaped like infra/nats/cluster.conf on loopback ports. */
function clusterConfig(m: Member, members: Member[], storeDir: string, syncAlways: boolean): string {
  return [
    `server_name: ${m.name}`,
    `listen: 127.0.0.1:${m.port}`,
    `http: 127.0.0.1:${m.monitorPort}`,
    'jetstream {',
    `  store_dir: "${storeDir}"`,
    ...(syncAlways ? ['  sync_interval: always'] : []),
    // Room past the telemetry stream's 1 GiB max_bytes, which each server reserves whole: with
    // exactly 1GB a restarted server could not recover the streams it loads after that one
    // (every stream without max_bytes needs a byte more), and stayed unhealthy for good.
    '  max_file_store: 4GB',
    '  max_memory_store: 64MB',
    '}',
    'cluster {',
    '  name: hangar',
    `  listen: 127.0.0.1:${m.routePort}`,
    `  routes: [${members.map((o) => `nats-route://127.0.0.1:${o.routePort}`).join(', ')}]`,
    '}',
    '',
  ].join('\n');
}

/**
 * Three nats-server processes as one JetStream cluster on loopback, each with its own config and
 * store under a temp dir. Owned by the calling test file (every server is stopped at its end
 * whatever happens); a start that fails stops what it started.
 */
export function startTestNatsCluster(size = 3): Promise<TestNatsCluster> {
  return own(`nats cluster of ${size}`, startingCluster(size));
}

async function startingCluster(size: number): Promise<TestNatsCluster> {
  const binary = findNatsServer();
  if (!binary) throw new Error('nats-server not found (scripts/ensure-system.mjs installs it)');
  const dir = tempDir('hangar-nats-cluster-');
  const members: Member[] = [];
  const ports = await clusterPorts(3 * size);
  for (let i = 1; i <= size; i++) {
    const [port, routePort, monitorPort] = ports.slice(3 * (i - 1), 3 * i) as [number, number, number];
    const member: Member = {
      name: `n${i}`,
      url: `nats://127.0.0.1:${port}`,
      port,
      routePort,
      monitorPort,
      config: path.join(dir, `n${i}.conf`),
      child: undefined,
      exited: Promise.resolve(),
      stderr: '',
      get running() {
        return this.child !== undefined;
      },
    };
    members.push(member);
  }
  const syncAlways = supportsSyncInterval(binary);
  for (const m of members) {
    const store = path.join(dir, m.name);
    mkdirSync(store, { recursive: true });
    writeFileSync(m.config, clusterConfig(m, members, store, syncAlways));
  }

  const launch = async (m: Member) => {
    // Its own process group, like the stack's nats-server: a signal meant for the test run's
    // group does not take the cluster down under the services mid-test.
    const child = spawn(binary, ['-c', m.config], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    m.child = child;
    m.stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (m.stderr = (m.stderr + chunk.toString()).slice(-4000)));
    m.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void m.exited.then(() => {
      if (m.child === child) m.child = undefined;
    });
    await Promise.race([
      waitForPort(m.port),
      m.exited.then(() => {
        throw new Error(`nats-server ${m.name} exited during start: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      }),
    ]);
  };
  const signal = async (m: Member, sig: NodeJS.Signals) => {
    const child = m.child;
    if (!child) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await m.exited;
    clearTimeout(timer);
  };
  const find = (name: string) => {
    const m = members.find((s) => s.name === name);
    if (!m) throw new Error(`no server ${name} in the cluster (${members.map((s) => s.name).join(', ')})`);
    return m;
  };

  const cluster: TestNatsCluster = {
    servers: members,
    url: members.map((m) => m.url).join(','),
    kill: (name) => signal(find(name), 'SIGKILL'),
    async restart(name) {
      const m = find(name);
      if (m.running) throw new Error(`${name} is running; kill it first`);
      await launch(m);
    },
    async healthy(timeoutMs = 30_000) {
      await eventually(
        () => Promise.all(members.filter((m) => m.running).map((m) => fetch(`http://127.0.0.1:${m.monitorPort}/healthz`).then((r) => r.status))),
        (statuses) => statuses.every((s) => s === 200),
        timeoutMs,
        100,
      );
    },
    async metaLeader() {
      const m = members.find((s) => s.running);
      if (!m) throw new Error('no server of the cluster is running');
      const jsz = (await (await fetch(`http://127.0.0.1:${m.monitorPort}/jsz`)).json()) as { meta_cluster?: { leader?: string } };
      if (!jsz.meta_cluster?.leader) throw new Error(`${m.name} knows no meta leader`);
      return jsz.meta_cluster.leader;
    },
    async stop() {
      await Promise.all(members.map((m) => signal(m, 'SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map(launch));
    await cluster.healthy();
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

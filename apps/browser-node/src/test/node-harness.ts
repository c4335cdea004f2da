import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import {
  drainNodeReply,
  nodeHeartbeatMessage,
  startSessionReply,
  stopSessionReply,
  subjects,
  type EndReason,
  type SessionHandoff,
  type BrowserSettings,
  type NodeHeartbeat,
  type SessionEvent,
} from '@hangar/contracts';
import { endStatusFor, sessionAggregate } from '@hangar/domain';
import { executeCommand, natsCommandTransport, sendCommand, type EventStore } from '@hangar/messaging';
import { commandLine, findChromium, processRunning, readStat, userDataDir } from '@hangar/chromium';
import { SERVICE_ENTRYPOINTS, startService, type RunningService } from '@hangar/stack';
import { chromiumProcesses, own, startTestNats, tempDir, type TestNats } from '@hangar/testing';

/**
 * Real infrastructure for the browser-node integration tests: a nats-server child with
 * JetStream, the built node (`apps/browser-node/dist/main.js`) as a child process, the machine's
 * Chromium. Nothing is mocked.
 */
export interface Harness {
  dir: string;
  nats: TestNats;
  store: EventStore;
  client: ClientProxy;
  close(): Promise<void>;
}

export interface RunningNode {
  nodeId: string;
  dataDir: string;
  profilesRoot: string;
  service: RunningService;
  logs: string[];
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(SERVICE_ENTRYPOINTS['browser-node'])) throw new Error('build the node first: npx tsc -p apps/browser-node');
  if (!findChromium()) throw new Error('Chromium not found');
  const dir = tempDir('hangar-browser-node-');
  const nats = await startTestNats(dir);
  // Nest's client logs its connection status to stdout; only trouble is worth seeing here.
  Logger.overrideLogger(['error', 'warn']);
  // The server-side options double as client options for the NATS transport.
  const client = ClientProxyFactory.create(natsCommandTransport(nats.url) as never) as unknown as ClientProxy;
  return {
    dir,
    nats,
    store: nats.store,
    client,
    async close() {
      await client.close();
      await nats.stop(); // removes `dir`
    },
  };
}

/** The nodes' HANGAR_INTERNAL_SECRET: tests connecting to a node directly mint their tokens with it. */
export const NODE_INTERNAL_SECRET = 'browser-node-test-internal-secret';

/** Starts the built node and resolves on its first heartbeat (it heartbeats once it takes commands). */
export async function startNode(h: Harness, nodeId: string, env: Record<string, string> = {}): Promise<RunningNode> {
  const dataDir = path.join(h.dir, nodeId);
  const logs: string[] = [];
  const sub = h.nats.nc.subscribe(subjects.nodeHeartbeat(nodeId), { max: 1 });
  // Owned by the test file: stopped at its end even when the hook that started it timed out.
  const service = await own(
    `browser-node ${nodeId}`,
    Promise.resolve(
      startService(
        'browser-node',
        nodeId,
        {
          NATS_URL: h.nats.url,
          HANGAR_NODE_ID: nodeId,
          HANGAR_NODE_DATA_DIR: dataDir,
          // The harness's own artifact folder (downloads of ended sessions), not the host's default.
          HANGAR_ARTIFACT_DIR: path.join(h.dir, 'artifacts'),
          LOG_LEVEL: 'debug',
          HANGAR_HEARTBEAT_MS: '200',
          HANGAR_INTERNAL_SECRET: NODE_INTERNAL_SECRET,
          ...env,
        },
        (line) => logs.push(line),
      ),
    ),
  );
  const node = { nodeId, dataDir, profilesRoot: path.join(dataDir, 'profiles'), service, logs };
  const firstBeat = (async () => {
    for await (const msg of sub) return nodeHeartbeatMessage.parse(msg.json());
    throw new Error('heartbeat subscription closed');
  })();
  const exited = service.exited.then((code) => {
    throw new Error(`node exited with ${code} before its first heartbeat:\n${logs.join('\n')}`);
  });
  const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no heartbeat:\n${logs.join('\n')}`)), 15_000).unref());
  try {
    await Promise.race([firstBeat, exited, timeout]);
  } catch (err) {
    sub.unsubscribe();
    await service.stop('SIGKILL');
    throw err;
  }
  return node;
}

/** Live Chromium processes started with a profile under `profilesRoot`. */
export const chromiumPids = (profilesRoot: string) => chromiumProcesses(`--user-data-dir=${profilesRoot}/`);

/** The marker a warm profile names its session in (src/chromium/warm-profile.ts). */
const SESSION_MARKER = 'hangar-session';

function readMarker(dir: string): string | undefined {
  try {
    return readFileSync(path.join(dir, SESSION_MARKER), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Warm profile dirs (`warm.<uuid>`) under the root, handed out or not. */
export function warmProfileDirs(profilesRoot: string): string[] {
  try {
    return readdirSync(profilesRoot)
      .filter((name) => name.startsWith('warm.'))
      .map((name) => path.join(profilesRoot, name));
  } catch {
    return [];
  }
}

/**
 * A session's browser folder: `<root>/<sessionId>` for a browser launched for it, the warm dir whose
 * marker names it for a warm-served one; `<root>/<sessionId>` (absent) once neither exists.
 */
export function sessionProfileDir(profilesRoot: string, sessionId: string): string {
  const own = path.join(profilesRoot, sessionId);
  if (existsSync(own)) return own;
  return warmProfileDirs(profilesRoot).find((dir) => readMarker(dir) === sessionId) ?? own;
}

/** Live Chromium processes of one profile dir. */
export const profileChromiumPids = (profileDir: string) => chromiumProcesses(`--user-data-dir=${profileDir}`);

/** Live Chromium processes of one session (its profile dir, warm or not). */
export const sessionChromiumPids = (profilesRoot: string, sessionId: string) => profileChromiumPids(sessionProfileDir(profilesRoot, sessionId));

/** The browser's folder (src/isolation/browser-folders.ts): its `--user-data-dir` is `<folder>/profile`. */
export function browserFolder(pid: number): string | undefined {
  const profile = userDataDir(pid);
  return profile === undefined ? undefined : path.dirname(profile);
}

/**
 * Live Chromium processes of warm browsers not handed out: started with a warm dir (by their
 * command line, so one still creating its dir counts too) that holds no session marker.
 */
export const idleWarmPids = (profilesRoot: string) =>
  chromiumProcesses(`--user-data-dir=${path.join(profilesRoot, 'warm.')}`).filter((pid) => {
    const dir = browserFolder(pid);
    return dir !== undefined && readMarker(dir) === undefined;
  });

/** The browser (process group leader) pids of a node's idle warm browsers. */
export function idleWarmBrowserPids(profilesRoot: string): number[] {
  return idleWarmPids(profilesRoot).filter((pid) => readStat(pid)?.pgrp === pid);
}

/**
 * Live Chromium processes under the root that are not idle warm browsers: sessions' and leaks.
 * Each process is judged by its own command line in one pass, and one that has exited meanwhile
 * (a short-lived helper of a warm browser still starting) is no leak.
 */
export function nonWarmChromiumPids(profilesRoot: string): number[] {
  const warmPrefix = path.join(profilesRoot, 'warm.');
  return chromiumPids(profilesRoot).filter((pid) => {
    const dir = browserFolder(pid);
    const idleWarm = dir !== undefined && dir.startsWith(warmPrefix) && readMarker(dir) === undefined;
    return !idleWarm && processAlive(pid);
  });
}

/** `<pid> <command line>` of each process still there, for a readable leak report. */
export function describeProcesses(pids: number[]): string[] {
  return pids.flatMap((pid) => {
    const cmd = commandLine(pid);
    return cmd === undefined ? [] : [`${pid} ${cmd.slice(0, 400)}`];
  });
}

/** Safety net for a failed test: nothing of ours may outlive the test run. */
export function killChromium(profilesRoot: string, pids = chromiumPids(profilesRoot)): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Whether the process still runs: a zombie does not (unlike `processAlive` of @hangar/testing). */
export const processAlive = (pid: number): boolean => processRunning(pid);

/** Appends SessionRequested + SessionScheduled as the scheduler would; returns the session id. */
export async function requestSession(h: Harness, nodeId: string, options: { keepAlive?: boolean; browserSettings?: BrowserSettings } = {}): Promise<string> {
  const sessionId = randomUUID();
  const meta = { correlationId: `test-${sessionId}` };
  await executeCommand(
    h.store,
    sessionAggregate,
    sessionId,
    {
      type: 'Request',
      data: {
        sessionId,
        projectId: 'p-test',
        keepAlive: options.keepAlive ?? false,
        timeoutSeconds: 300,
        region: 'us-west-2',
        expiresAt: new Date(Date.now() + 300_000).toISOString(),
        browserSettings: options.browserSettings ?? {},
      },
    },
    meta,
  );
  await executeCommand(h.store, sessionAggregate, sessionId, { type: 'Schedule', nodeId }, meta);
  return sessionId;
}

/** Without the scheduler's history: the node reads the session's settings from the log. */
export function startOnNode(h: Harness, nodeId: string, sessionId: string) {
  const command = { correlationId: `test-${sessionId}`, sessionId, projectId: 'p-test' };
  return sendCommand(h.client, subjects.startSessionOnNode(nodeId), command, startSessionReply, 30_000);
}

export function stopOnNode(
  h: Harness,
  nodeId: string,
  sessionId: string,
  reason: EndReason = 'RELEASED',
  handoff?: SessionHandoff,
) {
  const command = { correlationId: `test-${sessionId}`, sessionId, status: endStatusFor(reason), reason, ...(handoff ? { handoff } : {}) };
  return sendCommand(h.client, subjects.stopSessionOnNode(nodeId), command, stopSessionReply, 30_000);
}

export async function sessionEvents(h: Harness, sessionId: string): Promise<SessionEvent[]> {
  return (await h.store.read(subjects.sessionEvents(sessionId))).map((e) => e.event as SessionEvent);
}

/** Polls the session's stream until an event matches. */
export async function waitForEvent<T extends SessionEvent['type']>(
  h: Harness,
  sessionId: string,
  type: T,
  timeoutMs = 15_000,
): Promise<Extract<SessionEvent, { type: T }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await sessionEvents(h, sessionId)).find((e) => e.type === type);
    if (found) return found as Extract<SessionEvent, { type: T }>;
    if (Date.now() > deadline) throw new Error(`no ${type} for session ${sessionId} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function drainOnNode(h: Harness, nodeId: string) {
  return sendCommand(h.client, subjects.drainNode(nodeId), { correlationId: `test-drain-${nodeId}` }, drainNodeReply, 10_000);
}

export interface HeartbeatWatch {
  /** The first beat from now on (or already received and not yet consumed) that matches. */
  next(match: (beat: NodeHeartbeat) => boolean, timeoutMs?: number): Promise<NodeHeartbeat>;
  stop(): void;
}

/** Collects a node's heartbeats from the moment of the call. */
export function watchHeartbeats(h: Harness, nodeId: string): HeartbeatWatch {
  const sub = h.nats.nc.subscribe(subjects.nodeHeartbeat(nodeId));
  const beats: NodeHeartbeat[] = [];
  void (async () => {
    for await (const msg of sub) beats.push(nodeHeartbeatMessage.parse(msg.json()));
  })();
  return {
    async next(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = beats.findIndex(match);
        if (i >= 0) return beats.splice(0, i + 1).at(-1)!;
        if (Date.now() > deadline) throw new Error(`no matching heartbeat from ${nodeId} within ${timeoutMs} ms; last: ${JSON.stringify(beats.at(-1))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => sub.unsubscribe(),
  };
}

import { existsSync } from 'node:fs';
import http from 'node:http';
import puppeteer, { type Browser } from 'puppeteer-core';
import WebSocket from 'ws';
import { subjects, type BrowserSettings } from '@hangar/contracts';
import { sessionAggregate } from '@hangar/domain';
import { executeCommand } from '@hangar/messaging';
import { INTERNAL_TOKEN_HEADER, mintInternalToken } from '@hangar/runtime';
import { eventually } from '@hangar/testing';
import {
  NODE_INTERNAL_SECRET,
  chromiumPids,
  describeProcesses,
  killChromium,
  nonWarmChromiumPids,
  processAlive,
  profileChromiumPids,
  requestSession,
  sessionProfileDir,
  startHarness,
  startNode,
  startOnNode,
  watchHeartbeats,
  type Harness,
  type HeartbeatWatch,
  type RunningNode,
} from './node-harness.js';

/**
 * The session's profile (its own dir, or the warm dir marked with its id) goes once the session's
 * end is logged (it marks an unlogged end until then).
 */
export const profileGone = (profilesRoot: string, sessionId: string) =>
  eventually(() => existsSync(sessionProfileDir(profilesRoot, sessionId)), (exists) => !exists, 5_000);

/**
 * What the gateway adds to the upgrades it forwards: a fresh token for the session `endpoint`
 * (`ws://<node>/sessions/<id>`) names. Tests standing in for the gateway send it too.
 */
export function gatewayHeaders(endpoint: string, secret = NODE_INTERNAL_SECRET): Record<string, string> {
  const sessionId = new URL(endpoint).pathname.split('/').filter(Boolean).pop() ?? '';
  return { [INTERNAL_TOKEN_HEADER]: mintInternalToken(secret, { purpose: 'cdp', sessionId }) };
}

/** The HTTP status a WebSocket upgrade to `url` gets (101 when it is accepted); as the gateway unless headers are given. */
export function upgradeStatus(url: string, headers: Record<string, string> = gatewayHeaders(url)): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

export function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

/** Every Chromium process started with this profile dir has exited. */
export const chromiumGone = (profileDir: string) => eventually(() => profileChromiumPids(profileDir), (pids) => pids.length === 0, 5_000);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const nodeEvents = (store: Harness['store'], nodeId: string) => store.read(subjects.nodeEvents(nodeId));

export const endAsScheduler = (store: Harness['store'], sessionId: string) =>
  executeCommand(store, sessionAggregate, sessionId, { type: 'End', reason: 'NODE_LOST' }, { correlationId: `test-lost-${sessionId}` });

/** puppeteer.connect to a node's session endpoint, as through the gateway (with its token). */
export const connect = (endpoint: string) => puppeteer.connect({ browserWSEndpoint: endpoint, defaultViewport: null, headers: gatewayHeaders(endpoint) });

export async function firstPage(browser: Browser) {
  const pages = await browser.pages();
  expect(pages.length).toBeGreaterThan(0);
  return pages[0]!;
}

export interface NodeFixture {
  /** The harness, started in the fixture's beforeAll. */
  readonly h: Harness;
  /** Every node started in this file: stopped (and checked for leftover Chromium) after all tests. */
  readonly nodes: RunningNode[];
  /** Browsers to disconnect after each test. */
  readonly browsers: Browser[];
  /** Heartbeat watches to stop after each test. */
  readonly watches: HeartbeatWatch[];
  /** Starts a node on the harness and tracks it. */
  launchNode(nodeId: string, env?: Record<string, string>): Promise<RunningNode>;
  /** Watches a node's heartbeats until the end of the test. */
  watch(nodeId: string): HeartbeatWatch;
  /** A session requested and started on `node`, and a client connected to it (disconnected after the test). */
  session(node: RunningNode, browserSettings?: BrowserSettings): Promise<{ sessionId: string; browser: Browser }>;
}

/**
 * Registers, in the calling spec file, the hooks that start the harness (beforeAll), check for
 * leaked Chromium after each test (afterEach) and stop every node and the harness (afterAll).
 */
export function useNodeFixture(): NodeFixture {
  let h: Harness | undefined;
  const nodes: RunningNode[] = [];
  const browsers: Browser[] = [];
  const watches: HeartbeatWatch[] = [];

  /** Profiles roots of the nodes started so far, and whether a node with that root still runs. */
  function profileRoots(): Map<string, boolean> {
    const roots = new Map<string, boolean>();
    for (const n of nodes) roots.set(n.profilesRoot, (roots.get(n.profilesRoot) ?? false) || processAlive(n.service.process.pid!));
    return roots;
  }

  beforeAll(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    for (const w of watches.splice(0)) w.stop();
    for (const b of browsers.splice(0)) await b.disconnect().catch(() => undefined);
    // Sessions a test ended were sent SIGKILL by the time SessionEnded is in the log and are gone
    // a moment later; anything still there after 5 s is a leak. A node that still runs keeps its
    // idle warm browsers between tests; a stopped one keeps nothing.
    const survivors = () => [...profileRoots()].flatMap(([root, running]) => (running ? nonWarmChromiumPids(root) : chromiumPids(root)));
    const leaked = await eventually(survivors, (pids) => pids.length === 0, 5_000).catch(() => survivors());
    const report = describeProcesses(leaked);
    killChromium('', leaked);
    expect(report).toEqual([]);
  });

  afterAll(async () => {
    if (process.env.DUMP_NODE_LOGS) for (const n of nodes) console.log(n.logs.filter((l) => /"level":(40|50|60)/.test(l)).join('\n'));
    for (const n of nodes) await n.service.stop('SIGTERM', 10_000);
    // A SIGTERM takes the warm browsers down with the sessions.
    const left = [...profileRoots().keys()].flatMap((root) => chromiumPids(root));
    for (const root of profileRoots().keys()) killChromium(root);
    await h?.close();
    expect(left).toEqual([]);
  });

  const fixture: NodeFixture = {
    get h(): Harness {
      if (!h) throw new Error('the harness starts in beforeAll: use it from a hook or a test');
      return h;
    },
    nodes,
    browsers,
    watches,
    async launchNode(nodeId, env = {}) {
      const node = await startNode(fixture.h, nodeId, env);
      nodes.push(node);
      return node;
    },
    watch(nodeId) {
      const w = watchHeartbeats(fixture.h, nodeId);
      watches.push(w);
      return w;
    },
    async session(node, browserSettings = {}) {
      const sessionId = await requestSession(fixture.h, node.nodeId, { browserSettings });
      const reply = await startOnNode(fixture.h, node.nodeId, sessionId);
      if (!reply.ok) throw new Error(reply.error.message);
      const browser = await connect(reply.value.endpoint!);
      browsers.push(browser);
      return { sessionId, browser };
    },
  };
  return fixture;
}

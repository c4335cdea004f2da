import { randomUUID } from 'node:crypto';
import { SessionEnded, SessionRequested, SessionScheduled, SessionStarted, subjects } from '@hangar/contracts';
import type { RunningGateway } from '../app.factory.js';
import { startChildNode, type ChildNode } from '../testing/child-node.js';
import { startFakeNode, type FakeNode } from '../testing/fake-node.js';
import { bootGateway, seedProjectRows, SIGNING_SECRET, startInfra, type Infra, type SeededProject } from '../testing/infra.js';
import { closed, silentClient, tryConnect } from '../testing/ws-client.js';
import { signingKeyFor } from './signing-key.js';

const PING_INTERVAL_MS = 100;
const IDLE_TIMEOUT_MS = 400;

let infra: Infra;
let gateway: RunningGateway;
let node: FakeNode;
let a: SeededProject;

beforeAll(async () => {
  infra = await startInfra();
  node = await startFakeNode();
  infra.defer(() => node.stop());
  a = await seedProjectRows(infra.repos);
  gateway = await bootGateway(infra, { HANGAR_WS_PING_INTERVAL_MS: String(PING_INTERVAL_MS), HANGAR_WS_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) });
});

afterAll(async () => {
  await infra?.stop();
});

const meta = { correlationId: 'lifetime-it' };

/** Requested → scheduled → started on `endpointFor`, as the scheduler and a node would append them. */
async function runningSession(endpointFor: (id: string) => string): Promise<string> {
  const sessionId = randomUUID();
  await infra.store.append(subjects.sessionEvents(sessionId), [
    SessionRequested.create(
      { sessionId, projectId: a.projectId, keepAlive: false, timeoutSeconds: 300, region: 'us-west-2', expiresAt: new Date(Date.now() + 300_000).toISOString(), browserSettings: {} },
      meta,
    ),
    SessionScheduled.create({ sessionId, nodeId: 'node-it' }, meta),
    SessionStarted.create({ sessionId, nodeId: 'node-it', endpoint: endpointFor(sessionId), pid: 1 }, meta),
  ]);
  return sessionId;
}

const connectUrl = (sessionId: string) => `${gateway.url.replace('http:', 'ws:')}/?signingKey=${signingKeyFor(SIGNING_SECRET, sessionId)}`;

async function connected(sessionId: string) {
  const attempt = await tryConnect(connectUrl(sessionId));
  if (!attempt.ok) throw new Error(`refused: ${attempt.status} ${JSON.stringify(attempt.body)}`);
  attempt.ws.send('hello');
  expect(await attempt.next()).toBe(`${sessionId}:hello`);
  return attempt;
}

const endSession = (sessionId: string) =>
  infra.store.append(subjects.sessionEvents(sessionId), [SessionEnded.create({ sessionId, status: 'COMPLETED', reason: 'RELEASED' }, meta)]);

async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with how long `ws` took to close, or rejects after `withinMs`. */
async function closesWithin(ws: Parameters<typeof closed>[0], withinMs: number): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs)));
  try {
    await Promise.race([closed(ws), deadline]);
    return Date.now() - started;
  } finally {
    clearTimeout(timer);
  }
}

describe('a session that ends closes its clients', () => {
  it('every client of the ended session is closed at once; another session is untouched', async () => {
    const ending = await runningSession(node.endpointFor);
    const other = await runningSession(node.endpointFor);
    const first = await connected(ending);
    const second = await connected(ending);
    const bystander = await connected(other);

    await endSession(ending);
    await closesWithin(first.ws, 2_000);
    await closesWithin(second.ws, 2_000);

    bystander.ws.send('still here');
    expect(await bystander.next()).toBe(`${other}:still here`);
    bystander.ws.close();
    await closed(bystander.ws);
  });

  it('even when the node is frozen (SIGSTOP) and will never close them itself', async () => {
    const frozen: ChildNode = await startChildNode();
    infra.defer(() => frozen.stop());
    const sessionId = await runningSession(frozen.endpointFor);
    const client = await connected(sessionId);
    frozen.freeze();

    await endSession(sessionId);
    await closesWithin(client.ws, 2_000);
  });
});

describe('keepalive: clients gone without a close frame', () => {
  it('a client silent after its handshake (no pong either) is cut after HANGAR_WS_IDLE_TIMEOUT_MS, and the node sees it go', async () => {
    const sessionId = await runningSession(node.endpointFor);
    const client = await silentClient(connectUrl(sessionId));
    const silentFor = (await client.closed) - client.upgradedAt;
    expect(silentFor).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 20);
    expect(silentFor).toBeLessThan(IDLE_TIMEOUT_MS + 300);
    await eventually(() => node.disconnects.includes(`/sessions/${sessionId}`));
  });

  it('a live client idle for longer answers the pings and stays connected', async () => {
    const sessionId = await runningSession(node.endpointFor);
    const client = await connected(sessionId);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await new Promise((r) => setTimeout(r, IDLE_TIMEOUT_MS * 2.5));
    expect(pings).toBeGreaterThanOrEqual(3);
    client.ws.send('after the pause');
    expect(await client.next()).toBe(`${sessionId}:after the pause`);
    client.ws.close();
    await closed(client.ws);
  });
});

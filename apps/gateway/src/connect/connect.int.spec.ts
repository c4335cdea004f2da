import { randomUUID } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import { SessionEnded, SessionRequested, SessionScheduled, SessionStarted, subjects } from '@hangar/contracts';
import type { RunningGateway } from '../app.factory.js';
import { FakeScheduler, startFakeScheduler } from '../testing/fake-scheduler.js';
import { startFakeNode, type FakeNode } from '../testing/fake-node.js';
import { apiClient } from '../testing/http-client.js';
import { INTERNAL_TOKEN_HEADER, verifyInternalToken } from '@hangar/runtime';
import { bootGateway, INTERNAL_SECRET, seedProjectRows, SIGNING_SECRET, startInfra, type Infra, type SeededProject } from '../testing/infra.js';
import { closed, tryConnect, type WsAttempt } from '../testing/ws-client.js';
import { signingKeyFor } from './signing-key.js';

let infra: Infra;
let gateway: RunningGateway;
let node: FakeNode;
let scheduler: FakeScheduler;
let a: SeededProject;
let b: SeededProject;
let wsBase: string;

beforeAll(async () => {
  infra = await startInfra();
  node = await startFakeNode();
  infra.defer(() => node.stop());
  a = await seedProjectRows(infra.repos);
  b = await seedProjectRows(infra.repos);
  gateway = await bootGateway(infra, { HANGAR_CONNECT_PENDING_WAIT_MS: '300' });
  wsBase = gateway.url.replace('http:', 'ws:');
  scheduler = new FakeScheduler(infra.store, node.endpointFor);
});

afterAll(async () => {
  await infra?.stop();
});

const refused = (attempt: WsAttempt) => {
  if (attempt.ok) {
    attempt.ws.terminate();
    throw new Error('the upgrade was accepted');
  }
  return attempt;
};

async function echo(attempt: WsAttempt, sessionId: string): Promise<void> {
  if (!attempt.ok) throw new Error(`refused: ${attempt.status} ${JSON.stringify(attempt.body)}`);
  attempt.ws.send('Browser.getVersion');
  expect(await attempt.next()).toBe(`${sessionId}:Browser.getVersion`);
  attempt.ws.close();
  await closed(attempt.ws);
}

const meta = { correlationId: 'connect-it' };

async function pendingSession(projectId: string): Promise<string> {
  const sessionId = randomUUID();
  await infra.store.append(subjects.sessionEvents(sessionId), [
    SessionRequested.create(
      { sessionId, projectId, keepAlive: false, timeoutSeconds: 300, region: 'us-west-2', expiresAt: new Date(Date.now() + 300_000).toISOString(), browserSettings: {} },
      meta,
    ),
    SessionScheduled.create({ sessionId, nodeId: 'node-it' }, meta),
  ]);
  return sessionId;
}

describe('refusals before any session is looked at', () => {
  it.each([
    ['no credentials', '/'],
    ['an empty signingKey', '/?signingKey='],
    ['an unrelated query', '/?token=abc'],
  ])('%s is 401', async (_what, path) => {
    const r = refused(await tryConnect(`${wsBase}${path}`));
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('signingKey') });
  });

  it.each([
    ['a malformed signingKey', 'not-a-key'],
    ['a forged signingKey', `${randomUUID()}.${Buffer.alloc(32).toString('base64url')}`],
    ['a signingKey made with another secret', signingKeyFor('some-other-secret-value', randomUUID())],
  ])('%s is 401', async (_what, key) => {
    const r = refused(await tryConnect(`${wsBase}/?signingKey=${encodeURIComponent(key)}`));
    expect(r.status).toBe(401);
    expect(r.body.message).toBe('the signingKey is not valid');
  });

  it('an unknown apiKey is 401', async () => {
    const r = refused(await tryConnect(`${wsBase}/?apiKey=hgr_nope&sessionId=${randomUUID()}`));
    expect(r.status).toBe(401);
    expect(r.body.message).toBe('the apiKey is not valid');
  });

  it('another path is 404', async () => {
    const r = refused(await tryConnect(`${wsBase}/devtools/browser/x?signingKey=${signingKeyFor(SIGNING_SECRET, 'x')}`));
    expect(r.status).toBe(404);
  });
});

describe('resolving the session', () => {
  it('a valid signingKey for a session that does not exist is 404', async () => {
    const r = refused(await tryConnect(`${wsBase}/?signingKey=${signingKeyFor(SIGNING_SECRET, randomUUID())}`));
    expect(r.status).toBe(404);
  });

  it("apiKey with another project's session is 404", async () => {
    const sessionId = await pendingSession(b.projectId);
    const r = refused(await tryConnect(`${wsBase}/?apiKey=${a.apiKey}&sessionId=${sessionId}`));
    expect(r.status).toBe(404);
    expect(r.body.message).toBe(`session ${sessionId} was not found`);
  });

  it('a session whose browser starts within the wait is connected, not refused', async () => {
    const sessionId = await pendingSession(a.projectId);
    const slow = await bootGateway(infra, { HANGAR_CONNECT_PENDING_WAIT_MS: '5000' });
    const attempt = tryConnect(`${slow.url.replace('http:', 'ws:')}/?signingKey=${signingKeyFor(SIGNING_SECRET, sessionId)}`);
    await new Promise((r) => setTimeout(r, 300));
    await infra.store.append(subjects.sessionEvents(sessionId), [SessionStarted.create({ sessionId, nodeId: 'node-it', endpoint: node.endpointFor(sessionId), pid: 1 }, meta)]);
    await echo(await attempt, sessionId);
  });

  it('a session still not running after the wait is 503, retryable', async () => {
    const sessionId = await pendingSession(a.projectId);
    const r = refused(await tryConnect(`${wsBase}/?signingKey=${signingKeyFor(SIGNING_SECRET, sessionId)}`));
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.body.message).toBe(`session ${sessionId} is not running yet (status PENDING); retry in a moment`);
  });

  it('an ended session is 410, saying how it ended', async () => {
    const sessionId = await pendingSession(a.projectId);
    await infra.store.append(subjects.sessionEvents(sessionId), [SessionEnded.create({ sessionId, status: 'TIMED_OUT', reason: 'CONNECT_TIMEOUT' }, meta)]);
    const r = refused(await tryConnect(`${wsBase}/?apiKey=${a.apiKey}&sessionId=${sessionId}`));
    expect(r.status).toBe(410);
    expect(r.body).toEqual({ statusCode: 410, error: 'Gone', message: `session ${sessionId} has ended (status TIMED_OUT); create a new session` });
  });

  it('?apiKey= alone with no scheduler answering is 503', async () => {
    const r = refused(await tryConnect(`${wsBase}/?apiKey=${a.apiKey}`));
    expect(r.status).toBe(503);
  });
});

describe('piping to the node', () => {
  let schedulerApp: INestMicroservice;
  const api = () => apiClient(gateway.url, a.apiKey);

  beforeAll(async () => {
    schedulerApp = await startFakeScheduler(infra.nats.url, scheduler);
    infra.deferApp(() => schedulerApp.close());
  });
  afterEach(() => scheduler.reset());

  it('the connectUrl of a created session reaches its node, both ways', async () => {
    const created = (await api()('POST', '/v1/sessions', { body: {} })).body;
    await echo(await tryConnect(created.connectUrl), created.id);
    expect(node.upgrades.at(-1)!.url).toBe(`/sessions/${created.id}`);
  });

  it("the node is handed a token for that session alone, never a client's header of the same name", async () => {
    const created = (await api()('POST', '/v1/sessions', { body: {} })).body;
    await echo(await tryConnect(created.connectUrl, { [INTERNAL_TOKEN_HEADER]: 'chosen-by-the-client' }), created.id);
    const token = node.upgrades.at(-1)!.headers[INTERNAL_TOKEN_HEADER];
    expect(typeof token).toBe('string');
    expect(verifyInternalToken(INTERNAL_SECRET, token as string, { purpose: 'cdp', sessionId: created.id })).toEqual({ ok: true });
    expect(verifyInternalToken(INTERNAL_SECRET, token as string, { purpose: 'cdp', sessionId: randomUUID() })).toEqual({ ok: false, reason: 'wrong-session' });
  });

  it('?apiKey=&sessionId= reaches the node', async () => {
    const created = (await api()('POST', '/v1/sessions', { body: { keepAlive: true } })).body;
    await echo(await tryConnect(`${wsBase}/?apiKey=${a.apiKey}&sessionId=${created.id}`), created.id);
  });

  it('?apiKey= alone creates a default session that ends with its client, then connects', async () => {
    const attempt = await tryConnect(`${wsBase}/?apiKey=${encodeURIComponent(a.apiKey)}`);
    expect(scheduler.creates).toHaveLength(1);
    expect(scheduler.creates[0]).toMatchObject({ projectId: a.projectId, keepAlive: false, region: 'us-west-2' });
    // The project's default timeout is the scheduler's to apply.
    expect(scheduler.creates[0]).not.toHaveProperty('timeoutSeconds');
    const sessionId = node.upgrades.at(-1)!.url.split('/').pop()!;
    await echo(attempt, sessionId);
    const listed = (await api()('GET', `/v1/sessions/${sessionId}`)).body;
    expect(listed).toMatchObject({ id: sessionId, projectId: a.projectId, keepAlive: false });
  });

  it('?apiKey= alone at the project limit is 429 with the rate-limit headers', async () => {
    scheduler.onCreate = async () => ({ ok: false, error: { code: 'RATE_LIMITED', message: 'at the limit', retryAfterSeconds: 5, limit: 1, remaining: 0, resetSeconds: 5 } });
    const r = refused(await tryConnect(`${wsBase}/?apiKey=${a.apiKey}`));
    expect(r.status).toBe(429);
    expect(r.headers).toMatchObject({ 'retry-after': '5', 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '5' });
  });

  it('a node that cannot be reached is 502', async () => {
    const deadNode = await startFakeNode();
    await deadNode.stop();
    scheduler.endpointFor = deadNode.endpointFor;
    try {
      const created = (await api()('POST', '/v1/sessions', { body: {} })).body;
      const r = refused(await tryConnect(created.connectUrl));
      expect(r.status).toBe(502);
    } finally {
      scheduler.endpointFor = node.endpointFor;
    }
  });

  it('shutting the gateway down cuts piped connections instead of hanging on them', async () => {
    const second = await bootGateway(infra);
    const created = (await apiClient(second.url, a.apiKey)('POST', '/v1/sessions', { body: {} })).body;
    const attempt = await tryConnect(created.connectUrl);
    if (!attempt.ok) throw new Error(`refused: ${attempt.status}`);
    const started = Date.now();
    await second.close();
    await closed(attempt.ws);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

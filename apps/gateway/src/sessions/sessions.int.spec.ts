import { randomUUID } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import type { SessionSnapshot } from '@hangar/contracts';
import { openSecret } from '@hangar/runtime';
import { verifySigningKey } from '../connect/signing-key.js';
import { startFakeScheduler } from '../testing/fake-scheduler.js';
import { useGatewayFixture, errorBody } from '../testing/gateway-fixture.js';
import { apiClient } from '../testing/http-client.js';
import { INTERNAL_SECRET, seedProjectRows, SIGNING_SECRET, type SeededProject } from '../testing/infra.js';
import { uploadTestExtension } from '../testing/test-extension.js';

const SESSION_KEYS = ['createdAt', 'expiresAt', 'id', 'keepAlive', 'projectId', 'proxyBytes', 'region', 'startedAt', 'status', 'updatedAt'];
const CONNECT_KEYS = ['connectUrl', 'seleniumRemoteUrl', 'signingKey'];

const f = useGatewayFixture();

describe('POST /v1/sessions with no scheduler answering', () => {
  it('is 503 with retry-after, promptly', async () => {
    const started = Date.now();
    const res = await f.callA('POST', '/v1/sessions', { body: {} });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toEqual(errorBody(503, 'Service Unavailable', /scheduler/));
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('with a scheduler answering', () => {
  let schedulerApp: INestMicroservice;

  beforeAll(async () => {
    schedulerApp = await startFakeScheduler(f.infra.nats.url, f.scheduler);
    f.infra.deferApp(() => schedulerApp.close());
  });
  afterEach(() => f.scheduler.reset());

  it('creates a session: 201 with the Session fields and how to connect', async () => {
    const res = await f.callA('POST', '/v1/sessions', { body: { userMetadata: { order: { id: '42' } }, unknownField: 'ignored' } });
    expect(res.status).toBe(201);
    const s = res.body;
    expect(Object.keys(s).sort()).toEqual([...SESSION_KEYS, ...CONNECT_KEYS, 'userMetadata'].sort());
    expect(s).toMatchObject({ projectId: f.a.projectId, status: 'RUNNING', keepAlive: false, region: 'us-west-2', proxyBytes: 0, userMetadata: { order: { id: '42' } } });
    const gatewayUrl = new URL(f.gateway.url);
    expect(s.connectUrl).toBe(`ws://${gatewayUrl.host}/?signingKey=${encodeURIComponent(s.signingKey)}`);
    expect(s.seleniumRemoteUrl).toBe(`${f.gateway.url}/webdriver`);
    expect(verifySigningKey(SIGNING_SECRET, s.signingKey)).toBe(s.id);
    for (const field of ['createdAt', 'updatedAt', 'startedAt', 'expiresAt']) expect(new Date(s[field]).toISOString()).toBe(s[field]);
  });

  it('sends the scheduler the validated command with the documented defaults, and no timeout of its own', async () => {
    await f.callA('POST', '/v1/sessions', { body: {} });
    expect(f.scheduler.creates).toHaveLength(1);
    // The project's defaultTimeout (900 here) is the scheduler's to apply: the gateway invents none.
    expect(f.scheduler.creates[0]).toEqual({
      correlationId: expect.any(String),
      projectId: f.a.projectId,
      keepAlive: false,
      region: 'us-west-2',
      browserSettings: { recordSession: true, logSession: true, ignoreCertificateErrors: true },
    });
    expect(f.scheduler.creates[0]).not.toHaveProperty('timeoutSeconds');
  });

  it('passes what the client asked for', async () => {
    const extensionId = await uploadTestExtension(f.callA);
    const contextId: string = (await f.callA('POST', '/v1/contexts', { body: {} })).body.id;
    const body = {
      keepAlive: true,
      timeout: 3600,
      region: 'eu-central-1',
      extensionId,
      proxies: [{ type: 'external', server: 'http://proxy:8080', username: 'u', password: 'p', domainPattern: '*.example.com' }],
      browserSettings: { viewport: { width: 1280, height: 720 }, context: { id: contextId, persist: true }, recordSession: false, os: 'linux', allowedDomains: ['example.com'] },
    };
    const res = await f.callA('POST', '/v1/sessions', { body: { ...body, projectId: f.a.projectId } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ keepAlive: true, region: 'eu-central-1', contextId });
    // extensionId and the context id each in their one place: browserSettings.
    expect(f.scheduler.creates[0]).toEqual({
      correlationId: expect.any(String),
      projectId: f.a.projectId,
      keepAlive: true,
      timeoutSeconds: 3600,
      region: 'eu-central-1',
      // The password travels sealed (only nodes open it); the rest of the rule as sent.
      proxies: [{ ...body.proxies[0], password: expect.stringMatching(/^sealed:v1:/) }],
      browserSettings: { ...body.browserSettings, extensionId, logSession: true, ignoreCertificateErrors: true },
    });
    const sent = f.scheduler.creates[0]!.proxies as Array<{ password: string }>;
    expect(JSON.stringify(f.scheduler.creates[0])).not.toContain('"p"');
    expect(openSecret(INTERNAL_SECRET, sent[0]!.password)).toBe('p');
  });

  it('an absent body creates a default session', async () => {
    const res = await f.callA('POST', '/v1/sessions', { rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
  });

  it('a GET right after the 201 sees the session, with no projector running', async () => {
    const created = (await f.callA('POST', '/v1/sessions', { body: {} })).body;
    expect(await f.infra.repos.sessions.findById(f.a.projectId, created.id)).toBeUndefined();
    const res = await f.callA('GET', `/v1/sessions/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, connectUrl: created.connectUrl, signingKey: created.signingKey });
  });

  it("another project's session is 404, exactly like a missing one", async () => {
    const created = (await f.callA('POST', '/v1/sessions', { body: {} })).body;
    const theirs = await f.callB('GET', `/v1/sessions/${created.id}`);
    const missing = await f.callB('GET', `/v1/sessions/${randomUUID()}`);
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.message).toBe(`session ${created.id} was not found`);
    const release = await f.callB('POST', `/v1/sessions/${created.id}`, { body: { status: 'REQUEST_RELEASE' } });
    expect(release.status).toBe(404);
    expect(f.scheduler.releases).toHaveLength(0);
  });

  it('a refusal for the project limit is 429 with retry-after and x-ratelimit-*', async () => {
    f.scheduler.onCreate = async () => ({
      ok: false,
      error: { code: 'RATE_LIMITED', message: 'project at its concurrency limit (limit 3, currently 3)', retryAfterSeconds: 7, limit: 3, remaining: 0, resetSeconds: 7 },
    });
    const res = await f.callA('POST', '/v1/sessions', { body: {} });
    expect(res.status).toBe(429);
    expect(res.body).toEqual(errorBody(429, 'Too Many Requests', 'project at its concurrency limit (limit 3, currently 3)'));
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-limit')).toBe('3');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-reset')).toBe('7');
  });

  it.each([
    ['VALIDATION', 400],
    ['NOT_FOUND', 404],
    ['NO_CAPACITY', 503],
    ['NO_REGION', 400],
    ['LAUNCH_FAILED', 503],
    ['UNAVAILABLE', 503],
  ] as const)('a %s refusal is %i with its message', async (code, status) => {
    f.scheduler.onCreate = async () => ({ ok: false, error: { code, message: `refused: ${code}` } });
    const res = await f.callA('POST', '/v1/sessions', { body: {} });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, message: `refused: ${code}` });
  });

  it('a scheduler that never answers is 503 once the command deadline passes', async () => {
    f.scheduler.onCreate = async () => 'hang';
    const started = Date.now();
    const res = await f.callA('POST', '/v1/sessions', { body: {} });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('releases a session, and releasing again answers the final state without a command', async () => {
    const created = (await f.callA('POST', '/v1/sessions', { body: { keepAlive: true } })).body;
    const res = await f.callA('POST', `/v1/sessions/${created.id}`, { body: { status: 'REQUEST_RELEASE', projectId: f.a.projectId } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([...SESSION_KEYS, 'endedAt'].sort());
    expect(res.body).toMatchObject({ id: created.id, status: 'COMPLETED', endedAt: expect.any(String) });
    expect(f.scheduler.releases).toEqual([{ correlationId: expect.any(String), projectId: f.a.projectId, sessionId: created.id }]);

    const again = await f.callA('POST', `/v1/sessions/${created.id}`, { body: { status: 'REQUEST_RELEASE' } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(f.scheduler.releases).toHaveLength(1);

    const got = await f.callA('GET', `/v1/sessions/${created.id}`);
    expect(got.body).toEqual(res.body); // no connect details once ended
  });

  it('an update with any other status is 400', async () => {
    const created = (await f.callA('POST', '/v1/sessions', { body: {} })).body;
    for (const body of [{ status: 'RUNNING' }, {}, { status: 'request_release' }]) {
      const res = await f.callA('POST', `/v1/sessions/${created.id}`, { body });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('status must be "REQUEST_RELEASE" (the only status a client can set)');
    }
  });

  it('releasing an unknown session is 404', async () => {
    const res = await f.callA('POST', `/v1/sessions/${randomUUID()}`, { body: { status: 'REQUEST_RELEASE' } });
    expect(res.status).toBe(404);
  });
});

describe('GET /v1/sessions (the projection)', () => {
  let c: SeededProject;
  let callC: ReturnType<typeof apiClient>;
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  const row = (i: number, status: SessionSnapshot['status'], userMetadata?: SessionSnapshot['userMetadata']): SessionSnapshot => {
    const at = new Date(t0 + i * 60_000).toISOString();
    return {
      id: `list-${i}-${randomUUID().slice(0, 8)}`,
      projectId: c.projectId,
      status,
      createdAt: at,
      updatedAt: at,
      startedAt: at,
      ...(status === 'COMPLETED' || status === 'ERROR' || status === 'TIMED_OUT' ? { endedAt: new Date(t0 + i * 60_000 + 90_000).toISOString() } : {}),
      expiresAt: new Date(t0 + 3_600_000).toISOString(),
      keepAlive: false,
      region: 'us-west-2',
      ...(userMetadata ? { userMetadata } : {}),
      clients: 0,
      version: i,
    };
  };
  let rows: SessionSnapshot[];

  beforeAll(async () => {
    c = await seedProjectRows(f.infra.repos);
    callC = apiClient(f.gateway.url, c.apiKey);
    rows = [
      row(1, 'COMPLETED', { order: { status: 'shipped' }, team: 'red' }),
      row(2, 'RUNNING', { order: { status: 'pending' } }),
      row(3, 'RUNNING', { order: { status: 'shipped' } }),
      row(4, 'ERROR'),
    ];
    for (const r of rows) await f.infra.repos.sessions.upsert(r);
    // Another project's row never shows.
    await f.infra.repos.sessions.upsert({ ...row(5, 'RUNNING', { order: { status: 'shipped' } }), projectId: f.a.projectId });
  });

  const ids = (body: { id: string }[]) => body.map((s) => s.id);

  it('is a plain array of Session objects, newest first', async () => {
    const res = await callC('GET', '/v1/sessions');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([rows[3]!.id, rows[2]!.id, rows[1]!.id, rows[0]!.id]);
    expect(Object.keys(res.body[3]).sort()).toEqual([...SESSION_KEYS, 'endedAt', 'userMetadata'].sort());
    expect(res.body[0].connectUrl).toBeUndefined();
  });

  it('filters by status', async () => {
    expect(ids((await callC('GET', '/v1/sessions?status=RUNNING')).body)).toEqual([rows[2]!.id, rows[1]!.id]);
    expect(ids((await callC('GET', '/v1/sessions?status=PENDING')).body)).toEqual([]);
  });

  it("filters by q=user_metadata['a']['b']:'v'", async () => {
    const q = encodeURIComponent("user_metadata['order']['status']:'shipped'");
    expect(ids((await callC('GET', `/v1/sessions?q=${q}`)).body)).toEqual([rows[2]!.id, rows[0]!.id]);
    const both = await callC('GET', `/v1/sessions?status=COMPLETED&q=${q}`);
    expect(ids(both.body)).toEqual([rows[0]!.id]);
    const top = encodeURIComponent('user_metadata["team"]:"red"');
    expect(ids((await callC('GET', `/v1/sessions?q=${top}`)).body)).toEqual([rows[0]!.id]);
    const none = encodeURIComponent("user_metadata['order']['status']:'lost'");
    expect((await callC('GET', `/v1/sessions?q=${none}`)).body).toEqual([]);
  });
});

describe('projects', () => {
  it('GET /v1/projects is an array with just the key’s project', async () => {
    const res = await f.callA('GET', '/v1/projects');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: f.a.projectId, name: expect.any(String), ownerId: 'owner-it', concurrency: 3, defaultTimeout: 900, createdAt: expect.any(String), updatedAt: expect.any(String) },
    ]);
  });

  it('GET /v1/projects/:id is the project; another project is 404', async () => {
    expect((await f.callA('GET', `/v1/projects/${f.a.projectId}`)).body.id).toBe(f.a.projectId);
    const other = await f.callA('GET', `/v1/projects/${f.b.projectId}`);
    expect(other.status).toBe(404);
    expect(other.body).toEqual(errorBody(404, 'Not Found', `project ${f.b.projectId} was not found`));
    expect((await f.callA('GET', `/v1/projects/${f.b.projectId}/usage`)).status).toBe(404);
  });

  it('GET /v1/projects/:id/usage sums browser minutes from the projection', async () => {
    const usage = await f.callB('GET', `/v1/projects/${f.b.projectId}/usage`);
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual({ browserMinutes: expect.any(Number), proxyBytes: 0 });
    const fresh = await seedProjectRows(f.infra.repos);
    const at = '2026-02-01T00:00:00.000Z';
    await f.infra.repos.sessions.upsert({
      id: `usage-${randomUUID().slice(0, 8)}`,
      projectId: fresh.projectId,
      status: 'COMPLETED',
      createdAt: at,
      updatedAt: at,
      startedAt: at,
      endedAt: '2026-02-01T00:02:30.000Z',
      expiresAt: at,
      keepAlive: false,
      region: 'us-west-2',
      clients: 0,
      version: 1,
    });
    const res = await apiClient(f.gateway.url, fresh.apiKey)('GET', `/v1/projects/${fresh.projectId}/usage`);
    expect(res.body).toEqual({ browserMinutes: 3, proxyBytes: 0 });
  });
});

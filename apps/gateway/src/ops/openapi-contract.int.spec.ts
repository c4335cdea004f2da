import type { INestMicroservice } from '@nestjs/common';
import { sessionAggregate, toSnapshot } from '@hangar/domain';
import { loadAggregate } from '@hangar/messaging';
import { startFakeScheduler } from '../testing/fake-scheduler.js';
import { useGatewayFixture } from '../testing/gateway-fixture.js';
import type { apiClient } from '../testing/http-client.js';
import { openApiValidator } from '../testing/openapi-validator.js';
import { uploadTestExtension } from '../testing/test-extension.js';

/*
 * The requests the gateway's specs (and the SDK in the e2e suite) make, replayed against a real
 * gateway on real NATS and Postgres: each request body and each answer must validate against
 * the /openapi.json that gateway serves, with its status documented for the operation.
 */
const f = useGatewayFixture();
let validator: ReturnType<typeof openApiValidator>;
let schedulerApp: INestMicroservice;

beforeAll(async () => {
  const doc = await f.anon('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  validator = openApiValidator(doc.body);
  schedulerApp = await startFakeScheduler(f.infra.nats.url, f.scheduler);
  f.infra.deferApp(() => schedulerApp.close());
});
afterEach(() => f.scheduler.reset());

type Call = ReturnType<typeof apiClient>;

/** One exchange: the body sent must fit the document, and so must what comes back. */
async function exchange(call: Call, method: string, route: string, path: string, body?: unknown) {
  if (body !== undefined) expect(validator.request(method, route, body)).toEqual([]);
  const res = await call(method, path, body !== undefined ? { body } : {});
  expect(validator.response(method, route, res.status, res.body)).toEqual([]);
  return res;
}

const everySetting = {
  keepAlive: true,
  timeout: 3600,
  region: 'eu-central-1',
  extensionId: 'ext-1',
  userMetadata: { suite: 'contract', run: { id: 'r-1', n: 1, ok: true, none: null } },
  proxies: [
    { type: 'browserbase', geolocation: { country: 'US', state: 'NY', city: 'New York' }, domainPattern: '*.com' },
    { type: 'external', server: 'http://proxy:8080', username: 'u', password: 'p', domainPattern: '.example.com' },
    { type: 'none', domainPattern: 'internal' },
  ],
  browserSettings: {
    viewport: { width: 1280, height: 720 },
    context: { id: 'ctx-1', persist: true },
    extensionId: 'ext-2',
    blockAds: true,
    solveCaptchas: true,
    captchaImageSelector: '#captcha img',
    captchaInputSelector: '#captcha input',
    recordSession: false,
    logSession: true,
    os: 'linux',
    ignoreCertificateErrors: false,
    allowedDomains: ['example.com'],
    advancedStealth: false,
    verified: false,
  },
};

describe('the sessions API matches its OpenAPI document', () => {
  it('create with every setting → get → list (all, by status, by q) → release → release again', async () => {
    const extensionId = await uploadTestExtension(f.callA);
    expect((await exchange(f.callA, 'GET', '/v1/extensions/{id}', `/v1/extensions/${extensionId}`)).status).toBe(200);
    const context = await exchange(f.callA, 'POST', '/v1/contexts', '/v1/contexts', { name: 'contract' });
    expect(context.status).toBe(200);
    const contextId: string = context.body.id;
    expect((await exchange(f.callA, 'GET', '/v1/contexts/{id}', `/v1/contexts/${contextId}`)).status).toBe(200);
    expect((await exchange(f.callA, 'PUT', '/v1/contexts/{id}', `/v1/contexts/${contextId}`)).status).toBe(200);
    const created = await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', { ...everySetting, extensionId, browserSettings: { ...everySetting.browserSettings, context: { id: contextId, persist: true } }, projectId: f.a.projectId });
    expect(created.status).toBe(201);
    expect(created.body.contextId).toBe(contextId);
    const id: string = created.body.id;
    expect((await exchange(f.callA, 'GET', '/v1/sessions/{id}', `/v1/sessions/${id}`)).status).toBe(200);
    expect((await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', {})).status).toBe(201);
    expect((await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', { proxies: true, timeout: 60 })).status).toBe(201);

    // No projector runs here: the row is what it would write.
    await f.infra.repos.sessions.upsert(toSnapshot(await loadAggregate(f.infra.store, sessionAggregate, id))!);
    const listed = await exchange(f.callA, 'GET', '/v1/sessions', '/v1/sessions');
    expect(listed.body.map((s: { id: string }) => s.id)).toContain(id);
    await exchange(f.callA, 'GET', '/v1/sessions', '/v1/sessions?status=RUNNING');
    await exchange(f.callA, 'GET', '/v1/sessions', `/v1/sessions?q=${encodeURIComponent("user_metadata['run']['id']:'r-1'")}`);

    const released = await exchange(f.callA, 'POST', '/v1/sessions/{id}', `/v1/sessions/${id}`, { status: 'REQUEST_RELEASE', projectId: f.a.projectId });
    expect(released.body.status).toBe('COMPLETED');
    const ended = await exchange(f.callA, 'GET', '/v1/sessions/{id}', `/v1/sessions/${id}`);
    expect(ended.body).not.toHaveProperty('connectUrl');
    expect((await exchange(f.callA, 'POST', '/v1/sessions/{id}', `/v1/sessions/${id}`, { status: 'REQUEST_RELEASE' })).status).toBe(200);
  });

  it('projects, usage and the fleet', async () => {
    expect((await exchange(f.callA, 'GET', '/v1/projects', '/v1/projects')).status).toBe(200);
    expect((await exchange(f.callA, 'GET', '/v1/projects/{id}', `/v1/projects/${f.a.projectId}`)).status).toBe(200);
    expect((await exchange(f.callA, 'GET', '/v1/projects/{id}/usage', `/v1/projects/${f.a.projectId}/usage`)).status).toBe(200);
    expect((await exchange(f.callA, 'GET', '/v1/projects/{id}', `/v1/projects/${f.b.projectId}`)).status).toBe(404);
    // The fake scheduler does not answer status queries: the documented 503.
    expect((await exchange(f.callA, 'GET', '/v1/nodes', '/v1/nodes')).status).toBe(503);
  });

  it('errors: each documented, each in the error shape', async () => {
    expect((await exchange(f.anon, 'GET', '/v1/sessions', '/v1/sessions')).status).toBe(401);
    expect((await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', { projectId: f.b.projectId })).status).toBe(403);
    expect((await exchange(f.callA, 'GET', '/v1/sessions/{id}', '/v1/sessions/no-such-session')).status).toBe(404);
    expect((await exchange(f.callA, 'POST', '/v1/sessions/{id}', '/v1/sessions/no-such-session', { status: 'REQUEST_RELEASE' })).status).toBe(404);
    expect((await exchange(f.callA, 'GET', '/v1/sessions', '/v1/sessions?status=running')).status).toBe(400);
    expect((await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', { userMetadata: { pad: 'x'.repeat(8000) } })).status).toBe(413);

    f.scheduler.onCreate = async () => ({
      ok: false,
      error: { code: 'RATE_LIMITED', message: 'project at its concurrency limit', retryAfterSeconds: 7, limit: 3, remaining: 0, resetSeconds: 7 },
    });
    expect((await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', {})).status).toBe(429);
    f.scheduler.onCreate = async () => ({ ok: false, error: { code: 'NO_CAPACITY', message: 'no capacity' } });
    expect((await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', {})).status).toBe(503);
    f.scheduler.onCreate = async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'project not found' } });
    expect((await exchange(f.callA, 'POST', '/v1/sessions', '/v1/sessions', {})).status).toBe(404);
  });

  it.each<[string, unknown]>([
    ['a timeout out of range', { timeout: 59 }],
    ['a region that does not exist', { region: 'mars-1' }],
    ['arrays in user metadata', { userMetadata: { tags: ['a'] } }],
    ['a proxy of an unknown type', { proxies: [{ type: 'tor' }] }],
    ['an external proxy without a server', { proxies: [{ type: 'external' }] }],
    ['a zero viewport', { browserSettings: { viewport: { width: 0, height: 600 } } }],
    ['a context without an id', { browserSettings: { context: { persist: true } } }],
    ['an unknown os', { browserSettings: { os: 'beos' } }],
  ])('the document refuses what the gateway refuses: %s', async (_what, body) => {
    expect(validator.request('POST', '/v1/sessions', body)).not.toEqual([]);
    const refused = await f.callA('POST', '/v1/sessions', { body });
    expect(refused.status).toBe(400);
    expect(validator.response('POST', '/v1/sessions', refused.status, refused.body)).toEqual([]);
  });

  it('a status the document does not list for an operation is caught', () => {
    expect(validator.response('GET', '/v1/projects', 418, {})).toEqual(['GET /v1/projects does not document status 418']);
    expect(validator.response('GET', '/v1/projects/{id}/usage', 200, { browserMinutes: 1, proxyBytes: 0, extra: true })).not.toEqual([]);
  });
});

import { createPublicKey } from 'node:crypto';
import Browserbase from '@browserbasehq/sdk';
import type { INestMicroservice } from '@nestjs/common';
import { FsArtifactStore } from '@hangar/artifacts';
import { subjects } from '@hangar/contracts';
import { contextAggregate, contextProfileKey } from '@hangar/domain';
import { executeCommand } from '@hangar/messaging';
import { tempDir } from '@hangar/testing';
import type { RunningGateway } from '../app.factory.js';
import { FakeScheduler, startFakeScheduler } from '../testing/fake-scheduler.js';
import { apiClient } from '../testing/http-client.js';
import { bootGateway, seedProjectRows, startInfra, type Infra, type SeededProject } from '../testing/infra.js';

/*
 * `/v1/contexts` on the gateway with real NATS, Postgres and an fs artifact store, without a
 * projector (GET answers from the context's events then) and without a browser: the SDK 2.21
 * shapes through the official SDK, the name rule under races, the fences, and a session's
 * `browserSettings.context.id`. The browser side: apps/browser-node/src/contexts/ and
 * tests/e2e/contexts.e2e.spec.ts.
 */
let infra: Infra;
let gateway: RunningGateway;
let a: SeededProject;
let b: SeededProject;
let app: INestMicroservice;
const artifactDir = tempDir('hangar-gateway-contexts-');

beforeAll(async () => {
  infra = await startInfra();
  a = await seedProjectRows(infra.repos);
  b = await seedProjectRows(infra.repos);
  gateway = await bootGateway(infra, { HANGAR_ARTIFACT_DIR: artifactDir });
  app = await startFakeScheduler(infra.nats.url, new FakeScheduler(infra.store));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await infra?.stop();
});

const sdk = (p: SeededProject) => new Browserbase({ apiKey: p.apiKey, baseURL: gateway.url, maxRetries: 0 });

describe('/v1/contexts', () => {
  it('creates, retrieves, updates (deprecated) and deletes through the official SDK', async () => {
    const bb = sdk(a);
    const created = await bb.contexts.create({ projectId: a.projectId });
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), uploadUrl: `${gateway.url}/v1/contexts/${created.id}/upload`, publicKey: expect.stringContaining('BEGIN PUBLIC KEY'), cipherAlgorithm: 'AES-256-CBC', initializationVectorSize: 16 });
    expect(createPublicKey(created.publicKey).asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    const got = await bb.contexts.retrieve(created.id);
    expect(got).toEqual({ id: created.id, projectId: a.projectId, createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(await bb.contexts.update(created.id)).toEqual(created);
    expect((await infra.store.read(subjects.contextEvents(created.id))).map((e) => e.event.type)).toEqual(['ContextCreated']);
    await bb.contexts.delete(created.id);
    await expect(bb.contexts.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(bb.contexts.update(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(bb.contexts.delete(created.id)).rejects.toMatchObject({ status: 404 });
    // With no body at all, as `bb.contexts.create()` may send.
    await expect(apiClient(gateway.url, a.apiKey)('POST', '/v1/contexts')).resolves.toMatchObject({ status: 200, body: { id: expect.any(String) } });
  });

  it('keeps a name unique in the project without case: of racing creates exactly one wins; after a delete the name is free', async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const names = ['Shop Login', 'shop login', 'SHOP LOGIN', '  Shop login  ', 'shop LOGIN'];
    const results = await Promise.all(names.map((name) => call('POST', '/v1/contexts', { body: { name } })));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const lost of results.filter((r) => r.status !== 200)) expect(lost).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^name: a context named .* already exists/) } });
    const winner = won[0]!.body.id as string;
    await expect(call('GET', `/v1/contexts/${winner}`)).resolves.toMatchObject({ status: 200, body: { name: expect.stringMatching(/^shop login$/i) } });
    // Another project has names of its own.
    await expect(apiClient(gateway.url, b.apiKey)('POST', '/v1/contexts', { body: { name: 'shop login' } })).resolves.toMatchObject({ status: 200 });
    await expect(call('DELETE', `/v1/contexts/${winner}`)).resolves.toMatchObject({ status: 204 });
    await expect(call('POST', '/v1/contexts', { body: { name: 'Shop Login' } })).resolves.toMatchObject({ status: 200, body: { id: expect.any(String) } });
  });

  it.each([
    [{ name: 7 }, 'name must be a string'],
    [{ name: '   ' }, 'name must not be empty or only whitespace'],
    [{ name: 'x'.repeat(201) }, 'name must be at most 200 characters'],
    [{ name: 'a\u0007b' }, 'name must not contain control characters'],
    [{ projectId: 5 }, 'projectId'],
  ])('refuses %j with a 400 naming the field', async (body, message) => {
    await expect(apiClient(gateway.url, a.apiKey)('POST', '/v1/contexts', { body })).resolves.toMatchObject({ status: 400, body: { message: expect.stringContaining(message) } });
  });

  it('fences: no key 401, another project 403 on create and 404 on its contexts, a bad id 404, the upload sentinel 410', async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const { body } = await call('POST', '/v1/contexts', { body: {} });
    const other = apiClient(gateway.url, b.apiKey);
    await expect(apiClient(gateway.url)('POST', '/v1/contexts', { body: {} })).resolves.toMatchObject({ status: 401 });
    await expect(apiClient(gateway.url)('GET', `/v1/contexts/${body.id}`)).resolves.toMatchObject({ status: 401 });
    await expect(call('POST', '/v1/contexts', { body: { projectId: b.projectId } })).resolves.toMatchObject({ status: 403 });
    for (const method of ['GET', 'PUT', 'DELETE']) await expect(other(method, `/v1/contexts/${body.id}`)).resolves.toMatchObject({ status: 404 });
    await expect(call('GET', '/v1/contexts/not-an-id')).resolves.toMatchObject({ status: 404 });
    await expect(call('GET', '/v1/contexts/00000000-0000-4000-8000-000000000000')).resolves.toMatchObject({ status: 404 });
    for (const method of ['GET', 'PUT', 'POST']) await expect(call(method, body.uploadUrl.replace(gateway.url, ''), method === 'GET' ? {} : { body: {} })).resolves.toMatchObject({ status: 410, body: { message: expect.stringContaining('persist: true') } });
    await expect(call('GET', `/v1/contexts/${body.id}`)).resolves.toMatchObject({ status: 200 });
  });

  it("deletes the context's stored profiles with it", async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const { body } = await call('POST', '/v1/contexts', { body: {} });
    const store = await FsArtifactStore.open(artifactDir);
    const key = contextProfileKey(a.projectId, body.id, 'some-session');
    await store.put(key, Buffer.from('sealed profile'));
    await executeCommand(infra.store, contextAggregate, body.id, { type: 'Save', projectId: a.projectId, sessionId: 'some-session', key, bytes: 14, sha256: 'd'.repeat(64), files: 1 }, { correlationId: 't' });
    await expect(call('DELETE', `/v1/contexts/${body.id}`)).resolves.toMatchObject({ status: 204 });
    expect(await store.get(key)).toBeUndefined();
  });
});

describe('a session with browserSettings.context', () => {
  it("is refused with a 400 naming browserSettings.context.id unless it is one of the project's live contexts; contextId shows on the session", async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const mine = (await call('POST', '/v1/contexts', { body: {} })).body.id as string;
    const foreign = (await apiClient(gateway.url, b.apiKey)('POST', '/v1/contexts', { body: {} })).body.id as string;
    for (const id of ['nope', foreign, '00000000-0000-4000-8000-000000000000']) {
      const res = await call('POST', '/v1/sessions', { body: { projectId: a.projectId, browserSettings: { context: { id, persist: true } } } });
      expect(res).toMatchObject({ status: 400, body: { message: expect.stringContaining('browserSettings.context.id') } });
    }
    const created = await call('POST', '/v1/sessions', { body: { projectId: a.projectId, browserSettings: { context: { id: mine, persist: true } } } });
    expect(created).toMatchObject({ status: 201, body: { contextId: mine } });
    await expect(call('GET', `/v1/sessions/${created.body.id}`)).resolves.toMatchObject({ status: 200, body: { contextId: mine } });
    await call('DELETE', `/v1/contexts/${mine}`);
    await expect(call('POST', '/v1/sessions', { body: { projectId: a.projectId, browserSettings: { context: { id: mine } } } })).resolves.toMatchObject({ status: 400 });
  });
});

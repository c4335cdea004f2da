import { readdirSync } from 'node:fs';
import os from 'node:os';
import type { INestMicroservice } from '@nestjs/common';
import { FsArtifactStore } from '@hangar/artifacts';
import { subjects } from '@hangar/contracts';
import { extensionArtifactKey } from '@hangar/domain';
import { makeZip, MV3_MANIFEST, tempDir } from '@hangar/testing';
import type { RunningGateway } from '../app.factory.js';
import { FakeScheduler, startFakeScheduler } from '../testing/fake-scheduler.js';
import { apiClient } from '../testing/http-client.js';
import { bootGateway, seedProjectRows, startInfra, type Infra, type SeededProject } from '../testing/infra.js';

/*
 * `/v1/extensions` on the gateway with real NATS, Postgres and an fs artifact store, without a
 * projector (GET answers from the extension's events then) and without a browser: every refusal
 * of a hostile zip, nothing stored for one, 401/404 fences, and a session's `extensionId` checked
 * against the project's extensions. The browser side is tests/e2e/extensions.e2e.spec.ts.
 */
const MAX = 64 * 1024;
let infra: Infra;
let gateway: RunningGateway;
let a: SeededProject;
let b: SeededProject;
let app: INestMicroservice;
const artifactDir = tempDir('hangar-gateway-extensions-');

beforeAll(async () => {
  infra = await startInfra();
  a = await seedProjectRows(infra.repos);
  b = await seedProjectRows(infra.repos);
  gateway = await bootGateway(infra, { HANGAR_ARTIFACT_DIR: artifactDir, HANGAR_EXTENSION_MAX_BYTES: String(MAX), HANGAR_EXTENSION_MAX_UNPACKED_BYTES: String(1 << 20), HANGAR_EXTENSION_MAX_ENTRIES: '50' });
  app = await startFakeScheduler(infra.nats.url, new FakeScheduler(infra.store));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await infra?.stop();
});

function multipart(content: Buffer, filename = 'ext.zip', field = 'file') {
  const boundary = 'hangar-extension-boundary';
  const rawBody = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="${filename}"\r\ncontent-type: application/zip\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { rawBody, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const good = () => makeZip([{ name: 'ext/', mode: 0o040755 }, { name: 'ext/manifest.json', data: MV3_MANIFEST }, { name: 'ext/content.js', data: 'document.title = "x"' }]);

/** Every stored artifact key, to prove a refusal stored nothing. */
async function storedKeys(): Promise<string[]> {
  const store = await FsArtifactStore.open(artifactDir);
  return (await store.list('projects/')).map((e) => e.key);
}

describe('POST /v1/extensions', () => {
  it('stores a valid zip and answers the SDK shape; GET reads it back; another project sees 404; DELETE removes it', async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const created = await call('POST', '/v1/extensions', multipart(good(), 'my-ext.zip'));
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), fileName: 'my-ext.zip', projectId: a.projectId, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const id = created.body.id as string;
    expect(await storedKeys()).toContain(extensionArtifactKey(a.projectId, id));
    const events = await infra.store.read(subjects.extensionEvents(id));
    expect(events.map((e) => e.event.type)).toEqual(['ExtensionUploaded']);
    expect(events[0]!.event.data).toMatchObject({ root: 'ext/', key: extensionArtifactKey(a.projectId, id) });

    await expect(call('GET', `/v1/extensions/${id}`)).resolves.toMatchObject({ status: 200, body: created.body });
    await expect(apiClient(gateway.url, b.apiKey)('GET', `/v1/extensions/${id}`)).resolves.toMatchObject({ status: 404 });
    await expect(apiClient(gateway.url, b.apiKey)('DELETE', `/v1/extensions/${id}`)).resolves.toMatchObject({ status: 404 });
    await expect(apiClient(gateway.url)('GET', `/v1/extensions/${id}`)).resolves.toMatchObject({ status: 401 });
    await expect(call('GET', '/v1/extensions/not-an-id')).resolves.toMatchObject({ status: 404 });

    await expect(call('DELETE', `/v1/extensions/${id}`)).resolves.toMatchObject({ status: 204 });
    await expect(call('GET', `/v1/extensions/${id}`)).resolves.toMatchObject({ status: 404 });
    await expect(call('DELETE', `/v1/extensions/${id}`)).resolves.toMatchObject({ status: 404 });
    expect(await storedKeys()).not.toContain(extensionArtifactKey(a.projectId, id));
  });

  it('401 without a key', async () => {
    await expect(apiClient(gateway.url)('POST', '/v1/extensions', multipart(good()))).resolves.toMatchObject({ status: 401 });
  });

  const lots = Array.from({ length: 60 }, (_, i) => ({ name: `f${i}.js`, data: 'x' }));
  it.each([
    ['not a zip', Buffer.from('plain text, no zip'), /not a zip/],
    ['no manifest.json', makeZip([{ name: 'content.js', data: '1' }]), /manifest.json is missing/],
    ['manifest.json not JSON', makeZip([{ name: 'manifest.json', data: '{ nope' }]), /not valid JSON/],
    ['manifest_version 1', makeZip([{ name: 'manifest.json', data: '{"manifest_version":1,"name":"x","version":"1"}' }]), /manifest_version/],
    ['zip-slip', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: '../../../etc/cron.d/x', data: 'x' }]), /escapes/],
    ['an absolute path', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: '/etc/passwd', data: 'x' }]), /absolute/],
    ['a backslash path', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: '..\\..\\x.js', data: 'x' }]), /backslash/],
    ['a symlink', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'key', data: '/etc/shadow', mode: 0o120777 }]), /symlink/],
    ['too many entries', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, ...lots]), /entries/],
    ['a zip bomb', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'zeros', data: Buffer.alloc(4 << 20), deflate: true }]), /expands to more than/],
  ])('400 for %s, naming it, and nothing stored', async (_what, zip, problem) => {
    const before = await storedKeys();
    const res = await apiClient(gateway.url, a.apiKey)('POST', '/v1/extensions', multipart(zip));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(problem);
    expect(await storedKeys()).toEqual(before);
  });

  it('400 without a file field or multipart body; 413 past HANGAR_EXTENSION_MAX_BYTES, declared or streamed', async () => {
    const call = apiClient(gateway.url, a.apiKey);
    await expect(call('POST', '/v1/extensions', multipart(good(), 'x.zip', 'other'))).resolves.toMatchObject({ status: 400 });
    await expect(call('POST', '/v1/extensions', { body: { file: 'x' } })).resolves.toMatchObject({ status: 400 });
    const big = makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'noise.bin', data: Buffer.alloc(2 * MAX, 7) }]);
    const before = await storedKeys();
    const declared = await call('POST', '/v1/extensions', multipart(big));
    expect(declared.status).toBe(413);
    // Chunked: no content-length, cut off by the streaming cap.
    const { rawBody, headers } = multipart(big);
    const streamed = await fetch(`${gateway.url}/v1/extensions`, {
      method: 'POST',
      headers: { ...headers, 'x-bb-api-key': a.apiKey },
      body: new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(rawBody)), c.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await storedKeys()).toEqual(before);
    expect(readdirSync(os.tmpdir()).filter((n) => n.startsWith('hangar-extension-'))).toEqual([]);
  });
});

describe('a session with extensionId', () => {
  it("is refused with a 400 naming extensionId unless it is one of the project's extensions", async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const created = await call('POST', '/v1/extensions', multipart(good()));
    const id = created.body.id as string;
    const foreign = await apiClient(gateway.url, b.apiKey)('POST', '/v1/extensions', multipart(good()));
    for (const body of [{ extensionId: 'nope' }, { browserSettings: { extensionId: foreign.body.id } }]) {
      const res = await call('POST', '/v1/sessions', { body: { projectId: a.projectId, ...body } });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/extensionId/);
    }
    await expect(call('POST', '/v1/sessions', { body: { projectId: a.projectId, extensionId: id } })).resolves.toMatchObject({ status: 201 });
    await call('DELETE', `/v1/extensions/${id}`);
    await expect(call('POST', '/v1/sessions', { body: { projectId: a.projectId, extensionId: id } })).resolves.toMatchObject({ status: 400 });
  });
});

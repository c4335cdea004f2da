import type { INestMicroservice } from '@nestjs/common';
import { FsArtifactStore } from '@hangar/artifacts';
import { sessionArtifactKey } from '@hangar/domain';
import { tempDir } from '@hangar/testing';
import yauzl from 'yauzl';
import type { RunningGateway } from '../app.factory.js';
import { FakeScheduler, startFakeScheduler } from '../testing/fake-scheduler.js';
import { apiClient } from '../testing/http-client.js';
import { bootGateway, seedProjectRows, startInfra, type Infra, type SeededProject } from '../testing/infra.js';

/*
 * The gateway's side of session files without a browser: what it answers for an ended session
 * (the stored zip, or — its node killed before storing one — a valid empty zip saying so), and
 * the refusals it decides itself before any node is asked (401, 404 across projects, 410 ended,
 * 400 no `file`, 413 from a declared length). The node's route and the SDK are in
 * apps/browser-node/src/files/files.int.spec.ts and tests/e2e/files.e2e.spec.ts.
 */
const UPLOAD_MAX = 1024;
let infra: Infra;
let gateway: RunningGateway;
let a: SeededProject;
let b: SeededProject;
let scheduler: FakeScheduler;
let app: INestMicroservice;
const artifactDir = tempDir('hangar-gateway-files-artifacts-');

beforeAll(async () => {
  infra = await startInfra();
  a = await seedProjectRows(infra.repos);
  b = await seedProjectRows(infra.repos);
  gateway = await bootGateway(infra, { HANGAR_ARTIFACT_DIR: artifactDir, HANGAR_DOWNLOADS_WAIT_MS: '300', HANGAR_UPLOAD_MAX_BYTES: String(UPLOAD_MAX), HANGAR_LIST_WAIT_MS: '0' });
  scheduler = new FakeScheduler(infra.store);
  app = await startFakeScheduler(infra.nats.url, scheduler);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await infra?.stop();
});

async function download(id: string, apiKey: string | undefined) {
  const res = await fetch(`${gateway.url}/v1/sessions/${id}/downloads`, { headers: apiKey ? { 'x-bb-api-key': apiKey } : {} });
  return { status: res.status, type: res.headers.get('content-type'), source: res.headers.get('x-hangar-downloads'), body: Buffer.from(await res.arrayBuffer()) };
}

function entryCount(zip: Buffer): Promise<number> {
  return new Promise((resolve, reject) => yauzl.fromBuffer(zip, (err, file) => (err || !file ? reject(err ?? new Error('no zip')) : resolve(file.entryCount))));
}

async function endedSession(): Promise<string> {
  const call = apiClient(gateway.url, a.apiKey);
  const created = await call<{ id: string }>('POST', '/v1/sessions', { body: { projectId: a.projectId } });
  expect(created.status).toBe(201);
  const released = await call('POST', `/v1/sessions/${created.body.id}`, { body: { status: 'REQUEST_RELEASE', projectId: a.projectId } });
  expect(released.status).toBe(200);
  return created.body.id;
}

function multipart(field: string, filename: string, content: Buffer) {
  const boundary = 'hangar-test-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="${filename}"\r\ncontent-type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { rawBody: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('downloads of an ended session', () => {
  it('its node stored none (killed): a valid empty zip with x-hangar-downloads: lost-with-node', async () => {
    const id = await endedSession();
    const res = await download(id, a.apiKey);
    expect(res).toMatchObject({ status: 200, type: 'application/zip', source: 'lost-with-node' });
    expect(await entryCount(res.body)).toBe(0);
  });

  it('its node stored the zip: those bytes, from the artifact store', async () => {
    const id = await endedSession();
    const stored = Buffer.from('PK stand-in for the node’s zip');
    const artifacts = await FsArtifactStore.open(artifactDir);
    await artifacts.put(sessionArtifactKey(a.projectId, id, 'downloads'), stored);
    await artifacts.close();
    const res = await download(id, a.apiKey);
    expect(res).toMatchObject({ status: 200, type: 'application/zip', source: 'artifact' });
    expect(res.body.equals(stored)).toBe(true);
  });

  it('401 without a key, 404 for another project’s or an unknown session', async () => {
    const id = await endedSession();
    expect((await download(id, undefined)).status).toBe(401);
    const other = await download(id, b.apiKey);
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body.toString())).toMatchObject({ statusCode: 404, message: expect.stringContaining(id) });
    expect((await download('no-such-session', a.apiKey)).status).toBe(404);
  });
});

describe('downloads of a running session', () => {
  it('whose node cannot be reached: a 503 to retry, not a premature lost-with-node', async () => {
    const created = await apiClient(gateway.url, a.apiKey)<{ id: string }>('POST', '/v1/sessions', { body: { projectId: a.projectId } });
    const res = await fetch(`${gateway.url}/v1/sessions/${created.body.id}/downloads`, { headers: { 'x-bb-api-key': a.apiKey } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { message: string }).message).toMatch(/cannot be reached/);
  });
});

describe('uploads refused by the gateway itself', () => {
  it('410 once ended, 404 for another project, 401 without a key', async () => {
    const id = await endedSession();
    const file = multipart('file', 'a.txt', Buffer.from('hello'));
    const ended = await apiClient(gateway.url, a.apiKey)('POST', `/v1/sessions/${id}/uploads`, file);
    expect(ended.status).toBe(410);
    expect(ended.body.message).toMatch(/has ended/);
    expect((await apiClient(gateway.url, b.apiKey)('POST', `/v1/sessions/${id}/uploads`, file)).status).toBe(404);
    expect((await apiClient(gateway.url)('POST', `/v1/sessions/${id}/uploads`, file)).status).toBe(401);
  });

  it('to a running session: 400 naming file without it or with a bad name, 413 naming the cap past it', async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const created = await call<{ id: string }>('POST', '/v1/sessions', { body: { projectId: a.projectId } });
    const path = `/v1/sessions/${created.body.id}/uploads`;
    const noFile = await call('POST', path, multipart('other', 'a.txt', Buffer.from('x')));
    expect(noFile.status).toBe(400);
    expect(noFile.body.message).toMatch(/file/);
    for (const name of ['..', '.', '']) {
      const bad = await call('POST', path, multipart('file', name, Buffer.from('x')));
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/file/);
    }
    const notMultipart = await call('POST', path, { body: { file: 'x' } });
    expect(notMultipart.status).toBe(400);
    for (let i = 0; i < 5; i++) {
      const big = await call('POST', path, multipart('file', 'big.bin', Buffer.alloc(20 * UPLOAD_MAX)));
      expect(big.status).toBe(413);
      expect(big.body.message).toContain(`${UPLOAD_MAX} bytes`);
    }
  });
});

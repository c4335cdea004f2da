import { createHash } from 'node:crypto';
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FsArtifactStore } from '@hangar/artifacts';
import { sessionArtifactKey } from '@hangar/domain';
import { INTERNAL_TOKEN_HEADER, mintInternalToken, type InternalPurpose } from '@hangar/runtime';
import { eventually, unzip } from '@hangar/testing';
import { connect, firstPage, useNodeFixture } from '../test/node-fixture.js';
import { startUploadDownloadSite } from '../test/guarded-splice.js';
import { NODE_INTERNAL_SECRET, requestSession, sessionProfileDir, startOnNode, stopOnNode, waitForEvent } from '../test/node-harness.js';

/*
 * The node's files routes on a real node and Chromium. The downloads folder belongs to the
 * browser's OS user and the node reading it is root: a symlink planted there (to /etc/shadow)
 * must never be followed into the zip, and nothing but the gateway's token for that session
 * reads or writes the folders.
 */
const fx = useNodeFixture();
const token = (sessionId: string, purpose: InternalPurpose) => ({ [INTERNAL_TOKEN_HEADER]: mintInternalToken(NODE_INTERNAL_SECRET, { purpose, sessionId }) });

function request(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every entry of a zip: name → bytes. */
// One test: the fixture counts a session's Chromium still running after a test as leaked.
it('downloads zip: what the page downloaded, no symlink, no partial; uploads confined; the end stores and records the zip', async () => {
  const node = await fx.launchNode('node-files', { HANGAR_MAX_SESSIONS: '2', HANGAR_WARM_POOL: '0', HANGAR_UPLOAD_MAX_BYTES: '4096' });
  const site = await startUploadDownloadSite();
  const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
  try {
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const base = reply.value.endpoint!.replace(/^ws:/, 'http:');
    const folder = sessionProfileDir(node.profilesRoot, sessionId);

    // Nothing without the gateway's token for this purpose and session.
    expect((await request(`${base}/downloads`, 'GET', {})).status).toBe(401);
    expect((await request(`${base}/downloads`, 'GET', token(sessionId, 'uploads'))).status).toBe(401);
    const empty = await request(`${base}/downloads`, 'GET', token(sessionId, 'downloads'));
    expect(empty.status).toBe(200);
    expect((await unzip(empty.body)).size).toBe(0);

    const browser = await connect(reply.value.endpoint!);
    fx.browsers.push(browser);
    const page = await firstPage(browser);
    await page.goto(`${site.url}/`);
    await page.click('#d');
    await eventually(() => readdirSync(path.join(folder, 'downloads')), (names) => names.includes('report.txt'), 10_000);

    // What a hostile browser user could plant: a symlink to a host secret, a partial download.
    symlinkSync('/etc/shadow', path.join(folder, 'downloads', 'shadow-link'));
    symlinkSync('/etc', path.join(folder, 'downloads', 'etc-link'));
    writeFileSync(path.join(folder, 'downloads', 'half.bin.crdownload'), 'partial');
    const zip = await request(`${base}/downloads`, 'GET', token(sessionId, 'downloads'));
    expect(zip.status).toBe(200);
    const entries = await unzip(zip.body);
    expect([...entries.keys()]).toEqual(['report.txt']);
    expect(entries.get('report.txt')!.toString()).toBe('downloaded through the guard');

    // Uploads: the name is one safe segment, the size capped (4096 here), the path answered.
    const put = await request(`${base}/uploads/hello.txt`, 'PUT', token(sessionId, 'uploads'), Buffer.from('hello upload'));
    expect(put.status).toBe(200);
    const written = (JSON.parse(put.body.toString()) as { path: string }).path;
    expect(written).toBe(path.join(folder, 'uploads', 'hello.txt'));
    for (const name of ['..', '%2e%2e', 'a%2Fb', '%00x', '.hangar-upload-x']) {
      expect((await request(`${base}/uploads/${name}`, 'PUT', token(sessionId, 'uploads'), Buffer.from('x'))).status).toBeGreaterThanOrEqual(400);
    }
    expect((await request(`${base}/uploads/big.bin`, 'PUT', token(sessionId, 'uploads'), Buffer.alloc(5000))).status).toBe(413);
    expect((await request(`${base}/uploads/x.txt`, 'PUT', token(sessionId, 'downloads'), Buffer.from('x'))).status).toBe(401);
    expect(readdirSync(path.join(folder, 'uploads'))).toEqual(['hello.txt']);
    await page.$('input#f').then((input) => input!.uploadFile(written));
    expect(await page.$eval('#f', (el) => (el as HTMLInputElement).files![0]!.text())).toBe('hello upload');

    // At the end: the zip is in the artifact store under the session's key, and recorded.
    await stopOnNode(fx.h, node.nodeId, sessionId);
    const stored = await waitForEvent(fx.h, sessionId, 'SessionArtifactStored');
    const key = sessionArtifactKey('p-test', sessionId, 'downloads');
    expect(stored.data).toMatchObject({ kind: 'downloads', key });
    const artifacts = await FsArtifactStore.open(path.join(fx.h.dir, 'artifacts'));
    const body = (await artifacts.get(key))!;
    await artifacts.close();
    expect(stored.data.bytes).toBe(body.length);
    expect(stored.data.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect([...(await unzip(body)).keys()]).toEqual(['report.txt']);
  } finally {
    await stopOnNode(fx.h, node.nodeId, sessionId).catch(() => undefined);
    await site.stop();
  }
});

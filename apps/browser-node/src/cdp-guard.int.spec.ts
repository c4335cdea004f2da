import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '@hangar/testing';
import { browserFolder, requestSession, startOnNode, stopOnNode, waitForEvent, type RunningNode } from './test/node-harness.js';
import { connect, firstPage, useNodeFixture } from './test/node-fixture.js';
import { startUploadDownloadSite } from './test/guarded-splice.js';

const fx = useNodeFixture();

/**
 * The guard as the node wires it (cdp-proxy.server.ts): the session's own uploads and downloads
 * folders, the browser's OS user's where the node is root. cdp/guard/cdp-guard.int.spec.ts covers
 * the guard's every case against a bare Chromium; this shows the node applies it.
 */
describe('the CDP guard on a node', () => {
  let node: RunningNode;
  let site: Awaited<ReturnType<typeof startUploadDownloadSite>>;
  beforeAll(async () => {
    node = await fx.launchNode('node-guard', { HANGAR_WARM_POOL: '0' });
    site = await startUploadDownloadSite();
  });
  afterAll(() => site?.stop());

  it("refuses what reaches the host and confines uploads and downloads to the session's folders", async () => {
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    const folder = browserFolder(data.pid)!;
    const [uploads, downloads] = [path.join(folder, 'uploads'), path.join(folder, 'downloads')];
    // What a tenant's upload would be: a file of the browser's user in its uploads folder.
    const upload = path.join(uploads, 'upload.txt');
    writeFileSync(upload, 'uploaded on the node');
    const owner = statSync(uploads);
    chownSync(upload, owner.uid, owner.gid);

    const browser = await connect(reply.value.endpoint!);
    fx.browsers.push(browser);
    const cdp = await browser.target().createCDPSession();
    await expect(cdp.send('Extensions.loadUnpacked', { path: '/tmp' })).rejects.toThrow(/Hangar refused Extensions\.loadUnpacked/);

    const page = await firstPage(browser);
    await page.goto(`${site.url}/form`);
    const input = (await page.$('input#f'))!;
    await expect(input.uploadFile('/etc/hostname')).rejects.toThrow(/Hangar refused DOM\.setFileInputFiles/);
    await input.uploadFile(upload);
    expect(await page.evaluate("document.getElementById('f').files[0].text()")).toBe('uploaded on the node');

    const completed = new Promise<void>((resolve) => cdp.on('Browser.downloadProgress', (e) => e.state === 'completed' && resolve()));
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: '/tmp', eventsEnabled: true });
    await page.click('#d');
    await completed;
    expect(await eventually(() => readFileSync(path.join(downloads, 'report.txt'), 'utf8'), (text) => text.length > 0)).toBe('downloaded through the guard');

    expect(node.logs.some((l) => l.includes('cdp call refused') && l.includes('Extensions.loadUnpacked'))).toBe(true);
    await browser.disconnect();
    expect(await stopOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true, value: { status: 'COMPLETED' } });
  });
});

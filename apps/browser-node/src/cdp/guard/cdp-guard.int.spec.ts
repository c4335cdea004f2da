import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import WebSocket from 'ws';
import { eventually, tempDir } from '@hangar/testing';
import { startGuardedSplice, startUploadDownloadSite, type GuardedSplice } from '../../test/guarded-splice.js';
import { startTestChromium, type TestChromium } from '../../test/test-chromium.js';

/** A raw CDP client: sends text exactly as given, answers matched by id. */
async function rawClient(url: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const answers = new Map<number, unknown>();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { id?: number };
    if (typeof message.id === 'number') answers.set(message.id, message);
  });
  const answer = (id: number) => eventually(() => answers.get(id), (a) => a !== undefined, 10_000) as Promise<any>;
  return { ws, answer, close: () => ws.close() };
}

const refusal = (method: string) => ({ error: { code: -32000, message: expect.stringMatching(new RegExp(`^Hangar refused ${method.replace('.', '\\.')}: `)) } });

describe('the CDP guard in front of a real Chromium', () => {
  let dir: string;
  let folders: { uploadsDir: string; downloadsDir: string };
  let chromium: TestChromium;
  let splice: GuardedSplice;
  let site: { url: string; stop(): Promise<void> };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = tempDir('hangar-cdp-guard-');
    folders = { uploadsDir: path.join(dir, 'uploads'), downloadsDir: path.join(dir, 'downloads') };
    mkdirSync(folders.uploadsDir);
    mkdirSync(folders.downloadsDir);
    writeFileSync(path.join(folders.uploadsDir, 'upload.txt'), 'uploaded through the guard');
    chromium = await startTestChromium(path.join(dir, 'profile'));
    splice = await startGuardedSplice(chromium, folders);
    site = await startUploadDownloadSite();
    browser = await puppeteer.connect({ browserWSEndpoint: splice.url, defaultViewport: null });
    page = (await browser.pages())[0]!;
  });
  afterAll(async () => {
    await browser?.disconnect().catch(() => undefined);
    await splice?.stop();
    await site?.stop();
    await chromium?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses Extensions.loadUnpacked with a CDP error the client sees, and the connection stays usable', async () => {
    const cdp = await browser.target().createCDPSession();
    await expect(cdp.send('Extensions.loadUnpacked', { path: '/tmp' })).rejects.toThrow(/Hangar refused Extensions\.loadUnpacked: extensions are installed through \/v1\/extensions/);
    expect(splice.refused).toContainEqual({ method: 'Extensions.loadUnpacked', why: 'extensions are installed through /v1/extensions' });
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    expect((await cdp.send('Browser.getVersion')).product).toMatch(/Chrome/);
    await cdp.detach();
  });

  it('refuses a host file for a file input and accepts one from the uploads folder, relative or absolute', async () => {
    await page.goto(`${site.url}/form`);
    const input = (await page.$('input#f'))!;
    await expect(input.uploadFile('/etc/hostname')).rejects.toThrow(/Hangar refused DOM\.setFileInputFiles: \/etc\/hostname is outside the session's uploads folder/);
    expect(await page.evaluate("document.getElementById('f').files.length")).toBe(0);

    await input.uploadFile(path.join(folders.uploadsDir, 'upload.txt'));
    const read = () => page.evaluate("document.getElementById('f').files[0].text()");
    expect(await read()).toBe('uploaded through the guard');

    const cdp = await page.createCDPSession();
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#f' });
    await cdp.send('DOM.setFileInputFiles', { nodeId, files: [] });
    await cdp.send('DOM.setFileInputFiles', { nodeId, files: ['upload.txt'] });
    expect(await read()).toBe('uploaded through the guard');
    await cdp.detach();
  });

  it('puts a download in the downloads folder whatever downloadPath the client gave', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    const cdp = await browser.target().createCDPSession();
    const completed = new Promise<void>((resolve) => cdp.on('Browser.downloadProgress', (e) => e.state === 'completed' && resolve()));
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: elsewhere, eventsEnabled: true });
    await page.goto(`${site.url}/form`);
    await page.click('#d');
    await completed;
    expect(readFileSync(path.join(folders.downloadsDir, 'report.txt'), 'utf8')).toBe('downloaded through the guard');
    expect(existsSync(elsewhere)).toBe(false);
    await cdp.detach();
  });

  it('refuses navigations to local schemes and allows the web', async () => {
    await expect(page.goto('file:///etc/hostname')).rejects.toThrow(/Hangar refused Page\.navigate: file: URLs are local to the host/);
    await expect(browser.newPage().then((p) => p.goto('chrome://version'))).rejects.toThrow(/Hangar refused Page\.navigate/);
    const cdp = await browser.target().createCDPSession();
    await expect(cdp.send('Target.createTarget', { url: 'view-source:file:///etc/hostname' })).rejects.toThrow(/Hangar refused Target\.createTarget/);
    await cdp.detach();
    await page.goto(`${site.url}/form`);
    expect(await page.title()).toBe('form');
  });

  it('refuses an escaped method name and sees through duplicate keys', async () => {
    const client = await rawClient(splice.url);
    try {
      client.ws.send('{"id":1,"method":"\\u0045xtensions.loadUnpacked","params":{"path":"/tmp"}}');
      expect(await client.answer(1)).toEqual({ id: 1, ...refusal('Extensions.loadUnpacked') });
      // Last key wins in what was checked, and only that key reaches Chromium (which, sent both,
      // would have answered "duplicate map key").
      client.ws.send('{"id":2,"method":"Browser.getVersion","method":"Extensions.loadUnpacked","params":{"path":"/tmp"}}');
      expect(await client.answer(2)).toEqual({ id: 2, ...refusal('Extensions.loadUnpacked') });
      client.ws.send('{"id":3,"method":"Extensions.loadUnpacked","method":"Browser.getVersion"}');
      expect(await client.answer(3)).toMatchObject({ id: 3, result: { product: expect.stringMatching(/Chrome/) } });
      // A fragmented call is read whole.
      client.ws.send('{"id":4,"method":"Extensi', { fin: false });
      client.ws.send('ons.loadUnpacked","params":{"path":"/tmp"}}', { fin: true });
      expect(await client.answer(4)).toEqual({ id: 4, ...refusal('Extensions.loadUnpacked') });
      client.ws.send('{"id":5,"method":"Target.sendMessageToTarget","params":{"message":"{}","targetId":"x"}}');
      expect(await client.answer(5)).toEqual({ id: 5, ...refusal('Target.sendMessageToTarget') });
      client.ws.send(Buffer.from('{"id":6,"method":"Browser.getVersion"}'), { binary: true });
      client.ws.send('{"id":7,"method":"Browser.getVersion"}');
      expect(await client.answer(7)).toMatchObject({ result: { product: expect.any(String) } });
      expect(splice.refused).toContainEqual({ method: undefined, why: 'binary messages are not accepted; send JSON text' });
    } finally {
      client.close();
    }
  });

  it('a file named twice in one call reaches Chromium once, as checked', async () => {
    await page.goto(`${site.url}/form`);
    const { targetId } = (await (await page.createCDPSession()).send('Target.getTargetInfo')).targetInfo;
    const client = await rawClient(splice.url);
    try {
      client.ws.send(JSON.stringify({ id: 1, method: 'Target.attachToTarget', params: { targetId, flatten: true } }));
      const { sessionId } = (await client.answer(1)).result;
      const send = (id: number, method: string, params: string) => client.ws.send(`{"id":${id},"sessionId":"${sessionId}","method":"${method}","params":${params}}`);
      send(2, 'Runtime.evaluate', '{"expression":"document.getElementById(\'f\')"}');
      const { objectId } = (await client.answer(2)).result.result;
      send(3, 'DOM.setFileInputFiles', `{"objectId":"${objectId}","files":["upload.txt"],"files":["/etc/hostname"]}`);
      expect(await client.answer(3)).toEqual({ id: 3, sessionId, ...refusal('DOM.setFileInputFiles') });
      send(4, 'DOM.setFileInputFiles', `{"objectId":"${objectId}","files":["/etc/hostname"],"files":["upload.txt"]}`);
      expect(await client.answer(4)).toMatchObject({ id: 4, result: {} });
      send(5, 'Runtime.evaluate', '{"expression":"document.getElementById(\'f\').files[0].text()","awaitPromise":true}');
      expect((await client.answer(5)).result.result.value).toBe('uploaded through the guard');
    } finally {
      client.close();
    }
  });

  it('never lets a client negotiate permessage-deflate, which Chromium itself would accept', async () => {
    const direct = await rawClient(chromium.wsUrl, { perMessageDeflate: true });
    expect(direct.ws.extensions).toMatch(/permessage-deflate/);
    direct.close();
    const guarded = await rawClient(splice.url, { perMessageDeflate: true });
    try {
      expect(guarded.ws.extensions).toBe('');
      guarded.ws.send('{"id":1,"method":"Browser.getVersion"}');
      expect(await guarded.answer(1)).toMatchObject({ result: { product: expect.any(String) } });
    } finally {
      guarded.close();
    }
  });

  it('left nothing in the downloads or uploads folders it was not asked to', () => {
    expect(readdirSync(folders.downloadsDir).filter((f) => !f.startsWith('.'))).toEqual(['report.txt']);
    expect(readdirSync(folders.uploadsDir)).toEqual(['upload.txt']);
  });
});

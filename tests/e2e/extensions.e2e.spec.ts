import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Browserbase, { toFile } from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { makeZip } from '@hangar/testing';
import { eventually, startTestStack, type TestStack } from './harness.js';

/*
 * An uploaded MV3 extension end to end with the official SDK: `bb.extensions.create` stores it,
 * a session created with its id launches fresh with it loaded (--load-extension), its content
 * script (document_start, all frames) changes the page in the top frame and in an iframe, its
 * service worker is a target, and the unpacked copy is the session's browser user's alone.
 */
const MANIFEST = {
  manifest_version: 3,
  name: 'hangar e2e extension',
  version: '1.0',
  background: { service_worker: 'sw.js' },
  content_scripts: [{ matches: ['<all_urls>'], js: ['content.js'], run_at: 'document_start', all_frames: true }],
};
const CONTENT = "document.documentElement.setAttribute('data-hangar-extension', 'ran');";
const WORKER = "self.addEventListener('install', () => self.skipWaiting());";

describe('extensions', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      if (req.url === '/frame') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<title>frame</title><p>inner</p>');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>top</title><iframe src="/frame"></iframe>');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    t = await startTestStack({ concurrency: 2 });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => site?.close(r));
  });

  it('uploads through the SDK, loads into a fresh session, runs its content script in every frame, shows its service worker', async () => {
    const zip = makeZip([
      { name: 'hangar-ext/', mode: 0o040755 },
      { name: 'hangar-ext/manifest.json', data: JSON.stringify(MANIFEST), deflate: true },
      { name: 'hangar-ext/content.js', data: CONTENT },
      { name: 'hangar-ext/sw.js', data: WORKER },
    ]);
    const extension = await bb.extensions.create({ file: await toFile(zip, 'hangar-ext.zip') });
    expect(extension).toMatchObject({ id: expect.any(String), fileName: 'hangar-ext.zip', projectId: t.stack.projectId });
    await expect(bb.extensions.retrieve(extension.id)).resolves.toMatchObject({ id: extension.id, fileName: 'hangar-ext.zip' });

    const session = await bb.sessions.create({ projectId: t.stack.projectId, extensionId: extension.id });
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    try {
      const worker = await browser.waitForTarget((target) => target.type() === 'service_worker' && target.url().startsWith('chrome-extension://'), { timeout: 15_000 });
      expect(worker.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/sw\.js$/);
      const [page] = await browser.pages();
      await page!.goto(`${siteUrl}/`, { waitUntil: 'load' });
      await expect(page!.evaluate(() => document.documentElement.getAttribute('data-hangar-extension'))).resolves.toBe('ran');
      const frame = page!.frames().find((f) => f.url().endsWith('/frame'));
      await expect(frame!.evaluate(() => document.documentElement.getAttribute('data-hangar-extension'))).resolves.toBe('ran');
      // The unpacked copy is in the session's own folder, the browser user's alone.
      const nodesDir = path.join(t.dataDir, 'nodes');
      const folder = readdirSync(nodesDir)
        .map((node) => path.join(nodesDir, node))
        .flatMap((dir) => findDir(dir, session.id))[0];
      expect(folder).toBeDefined();
      const unpacked = statSync(path.join(folder!, 'extension'));
      expect(unpacked.mode & 0o777).toBe(0o700);
      if (process.getuid?.() === 0) expect(unpacked.uid).not.toBe(0);
    } finally {
      await browser.disconnect();
    }

    await bb.sessions.update(session.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId }).catch(() => undefined);
    await eventually(async () => (await bb.sessions.retrieve(session.id)).status, (s) => s === 'COMPLETED');
  });

  it('refuses a hostile zip and a session naming an extension that is not the project\'s', async () => {
    const slip = makeZip([{ name: 'manifest.json', data: JSON.stringify(MANIFEST) }, { name: '../../evil.js', data: 'x' }]);
    await expect(bb.extensions.create({ file: await toFile(slip, 'slip.zip') })).rejects.toMatchObject({ status: 400 });
    await expect(bb.sessions.create({ projectId: t.stack.projectId, extensionId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/extensionId/) });
  });
});

/** The session's folder under a node's data dir, wherever its layout puts it. */
function findDir(root: string, name: string, depth = 3): string[] {
  if (depth < 0) return [];
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  if (entries.includes(name)) return [path.join(root, name)];
  return entries.flatMap((e) => {
    const full = path.join(root, e);
    try {
      return statSync(full).isDirectory() ? findDir(full, name, depth - 1) : [];
    } catch {
      return [];
    }
  });
}

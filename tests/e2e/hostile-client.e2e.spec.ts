import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, chownSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import WebSocket from 'ws';
import { subjects } from '@hangar/contracts';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

/**
 * A tenant with nothing but its sessions' connectUrls, trying every way out it has (issue 9):
 * the host's files, another session's files and browser, Hangar's secrets, the node's port.
 * Each attempt must fail and leave nothing outside the session's own folders.
 */
describe('a hostile client', () => {
  let t: TestStack;
  let site: http.Server;
  let siteUrl: string;
  const clients: Browser[] = [];
  const evilDir = `/tmp/hangar-hostile-${process.pid}`;

  interface Tenant {
    id: string;
    connectUrl: string;
    /** The node's internal address of the session, as SessionStarted names it. */
    nodeEndpoint: string;
    pid: number;
    folder: string;
    browser: Browser;
    page: Page;
  }
  let a: Tenant;
  let b: Tenant;

  async function tenant(): Promise<Tenant> {
    const created = await api(t.stack, 'POST', '/v1/sessions', { projectId: t.stack.projectId, keepAlive: true });
    expect(created.status).toBe(201);
    const events = (await t.stack.store.read(subjects.sessionEvents(created.body.id))).map((e) => e.event);
    const started = events.find((e) => e.type === 'SessionStarted')!.data as { endpoint: string; pid: number };
    const profile = /--user-data-dir=(\S+)/.exec(readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').replaceAll('\0', ' '))![1]!;
    const browser = await puppeteer.connect({ browserWSEndpoint: created.body.connectUrl, defaultViewport: null });
    clients.push(browser);
    const [page] = await browser.pages();
    return { id: created.body.id, connectUrl: created.body.connectUrl, nodeEndpoint: started.endpoint, pid: started.pid, folder: path.dirname(profile), browser, page: page! };
  }

  /** A CDP call on a fresh browser-level session of the tenant's connection. */
  async function browserCall(who: Tenant, method: string, params: Record<string, unknown>) {
    const session = await who.browser.target().createCDPSession();
    try {
      return await session.send(method as never, params as never);
    } finally {
      await session.detach().catch(() => undefined);
    }
  }

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      if (req.url === '/file.txt') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="report.txt"' });
        return res.end('downloaded by a hostile client');
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<input type="file" id="f"><a id="dl" href="/file.txt" download>get</a>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    t = await startTestStack({ concurrency: 4 });
    [a, b] = [await tenant(), await tenant()];
  });

  afterAll(async () => {
    for (const client of clients) await client.disconnect().catch(() => undefined);
    await t?.stop();
    await new Promise((resolve) => site?.close(resolve));
  });

  it('runs every session browser as a user of its own, not root', () => {
    const uidA = statSync(`/proc/${a.pid}`).uid;
    const uidB = statSync(`/proc/${b.pid}`).uid;
    if (process.getuid?.() === 0) {
      expect(uidA).not.toBe(0);
      expect(uidB).not.toBe(0);
      expect(uidA).not.toBe(uidB);
    }
  });

  it("cannot open the host's files, the data dir or chrome: pages", async () => {
    for (const url of ['file:///etc/hostname', `file://${t.dataDir}/`, `file://${path.join(t.dataDir, 'signing-secret')}`, `file://${b.folder}/`, 'chrome://version']) {
      const page = await a.browser.newPage();
      await expect(page.goto(url)).rejects.toThrow(/Hangar refused|ERR_BLOCKED_BY_ADMINISTRATOR/);
      await page.close();
    }
    // Nor by a target of its own.
    await expect(browserCall(a, 'Target.createTarget', { url: 'file:///etc/passwd' })).rejects.toThrow(/Hangar refused/);
  });

  it('cannot load an extension from a host path; the connection stays usable', async () => {
    await expect(browserCall(a, 'Extensions.loadUnpacked', { path: '/usr/share' })).rejects.toThrow(/Hangar refused/);
    await a.page.goto(siteUrl);
    expect(await a.page.$('#f')).not.toBeNull();
  });

  it("cannot attach a host file, a secret or another session's upload to a form; its own uploads it can", async () => {
    await a.page.goto(siteUrl);
    const dom = await a.page.createCDPSession();
    const { root } = await dom.send('DOM.getDocument', {});
    const { nodeId } = await dom.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#f' });
    const attach = (files: string[]) => dom.send('DOM.setFileInputFiles', { files, nodeId });
    await expect(attach(['/etc/hostname'])).rejects.toThrow(/Hangar refused/);
    await expect(attach([path.join(t.dataDir, 'signing-secret')])).rejects.toThrow(/Hangar refused/);
    await expect(attach([path.join(b.folder, 'uploads', 'theirs.txt')])).rejects.toThrow(/Hangar refused/);
    await expect(attach([path.join(a.folder, 'uploads', '..', '..', '..', 'etc', 'hostname')])).rejects.toThrow(/Hangar refused/);

    const mine = path.join(a.folder, 'uploads', 'mine.txt');
    writeFileSync(mine, 'my upload');
    const owner = statSync(path.join(a.folder, 'uploads'));
    chownSync(mine, owner.uid, owner.gid);
    await attach([mine]);
    expect(await a.page.$eval('#f', (el) => (el as HTMLInputElement).files?.[0]?.name)).toBe('mine.txt');
    await dom.detach();
  });

  it("downloads only into its own downloads folder, whatever path it names", async () => {
    // Kept attached: Chromium drops a session's download behaviour when that session detaches.
    const session = await a.browser.target().createCDPSession();
    await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: evilDir, eventsEnabled: true });
    await a.page.goto(siteUrl);
    await a.page.click('#dl');
    const downloads = path.join(a.folder, 'downloads');
    await eventually(() => readdirSync(downloads), (names) => names.includes('report.txt'), 10_000);
    expect(readFileSync(path.join(downloads, 'report.txt'), 'utf8')).toBe('downloaded by a hostile client');
    expect(existsSync(evilDir)).toBe(false);
    await session.detach();
  });

  it("cannot turn its keys into another tenant's session", async () => {
    const other = await t.stack.seedProject({ concurrency: 2, name: 'Other tenant' });
    const theirs = await api(t.stack, 'POST', '/v1/sessions', { projectId: other.projectId }, other.apiKey);
    expect(theirs.status).toBe(201);
    const gateway = new URL(a.connectUrl);
    const signature = new URL(a.connectUrl).searchParams.get('signingKey')!.split('.').pop();
    const attempts = [
      `ws://${gateway.host}/?signingKey=${theirs.body.id}.${signature}`,
      `ws://${gateway.host}/?apiKey=${t.stack.apiKey}&sessionId=${theirs.body.id}`,
    ];
    for (const url of attempts) {
      await expect(puppeteer.connect({ browserWSEndpoint: url })).rejects.toMatchObject({ message: expect.stringMatching(/401|404/) });
    }
    expect((await api(t.stack, 'GET', `/v1/sessions/${theirs.body.id}`)).status).toBe(404);
    expect((await api(t.stack, 'POST', `/v1/sessions/${theirs.body.id}`, { status: 'REQUEST_RELEASE' })).status).toBe(404);
    expect((await api(t.stack, 'POST', `/v1/sessions/${theirs.body.id}`, { projectId: other.projectId, status: 'REQUEST_RELEASE' }, other.apiKey)).status).toBe(200);
  });

  it("cannot skip the gateway: the node's port refuses a client without the gateway's token", async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(a.nodeEndpoint);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('error', () => resolve(0));
    });
    expect([401, 403]).toContain(status);
  });

  it("cannot reach another session's browser or the node from its pages", async () => {
    await a.page.goto(siteUrl);
    const bDevtools = readFileSync(path.join(b.folder, 'profile', 'DevToolsActivePort'), 'utf8').split('\n');
    const tries = await a.page.evaluate(
      async ({ bPort, bPath, node }) => {
        const socket = (url: string) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
            setTimeout(() => resolve('timeout'), 3_000);
          });
        const read = await fetch(`http://127.0.0.1:${bPort}/json/version`).then(
          (r) => r.text(),
          () => 'refused',
        );
        return { read, browser: await socket(`ws://127.0.0.1:${bPort}${bPath}`), node: await socket(node) };
      },
      { bPort: bDevtools[0], bPath: bDevtools[1], node: b.nodeEndpoint },
    );
    expect(tries).toEqual({ read: 'refused', browser: 'refused', node: 'refused' });
    // B is untouched and still serves its own client.
    await b.page.goto(siteUrl);
    expect(await b.page.$('#dl')).not.toBeNull();
  });
});

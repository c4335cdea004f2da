import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { findChromium, processesOfUid } from '@hangar/chromium';
import { createLogger } from '@hangar/runtime';
import { eventually, tempDir } from '@hangar/testing';
import { EgressPolicy } from '@hangar/domain';
import { launchChromium } from '../chromium/chromium.launcher.js';
import type { CdpProxy } from '../cdp/cdp-proxy.server.js';
import { EgressGuard } from '../egress/egress-guard.js';
import type { ChromiumProcess } from '../chromium/chromium.process.js';
import type { NodeConfig } from '../env.js';
import { BrowserIsolation } from './browser-isolation.service.js';
import { DEFAULT_LEASE_DIR } from './browser-users.js';

/**
 * Each fence of isolation/ on its own, against real Chromium and without the node around it (no
 * CDP guard, no gateway): what a browser's OS user, folders, environment, sandbox and policy stop
 * by themselves. The hostile-client suite (tests/e2e) tries the same through the whole stack.
 */
const root = process.getuid?.() === 0;
const chromePath = findChromium()!;
const logger = createLogger('isolation-it', process.env.LOG_LEVEL ?? 'silent');

/** Runs a command as the given uid/gid, the way a process that escaped Chromium would run. */
function asUser(uid: number, gid: number, command: string, args: string[]) {
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', command, ...args], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

(root ? describe : describe.skip)('browser isolation (as root)', () => {
  const dir = tempDir('hangar-isolation-');
  const dataDir = path.join(dir, 'node');
  const secretFile = path.join(dataDir, 'node-secret');
  // Readable by every user (0644 in a folder others may pass): only Chromium's policy keeps it out.
  const hostFile = path.join(dir, 'host-file.html');
  const hostText = `HANGAR-HOST-FILE-${process.pid}`;
  const config = {
    nodeId: 'iso',
    dataDir,
    profilesRoot: path.join(dataDir, 'profiles'),
    chromePath,
    headless: true,
    mountNamespace: true,
    chromiumSandbox: 'auto',
    // The host's one lease dir, as every node of the host uses: another test file's node may be
    // running browsers as these users right now.
    browserUserLeaseDir: DEFAULT_LEASE_DIR,
  } as unknown as NodeConfig;
  const isolation = new BrowserIsolation(config, logger);
  // The node's default policy; no CDP proxy runs here.
  const egressGuard = new EgressGuard({ egressPolicy: new EgressPolicy(), natsUrl: '' } as unknown as NodeConfig, logger, {} as CdpProxy);
  const browsers: ChromiumProcess[] = [];
  const clients: Browser[] = [];
  let a: ChromiumProcess;
  let b: ChromiumProcess;
  let site: http.Server;
  let siteUrl: string;

  const launch = (name: string) =>
    launchChromium({ chromePath, folder: path.join(config.profilesRoot, name), isolation, egressGuard, browserSettings: {}, headless: true, timeoutMs: 15_000, logger }).then((browser) => {
      browsers.push(browser);
      return browser;
    });
  const connect = async (browser: ChromiumProcess) => {
    const client = await puppeteer.connect({ browserWSEndpoint: `ws://127.0.0.1:${browser.port}${browser.browserPath}`, defaultViewport: null });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    process.env.HANGAR_INTERNAL_SECRET_PROBE = 'must-not-reach-a-browser';
    site = http.createServer((req, res) => {
      if (req.url === '/file.txt') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="report.txt"' });
        return res.end('a download');
      }
      res.end('<html><body>site<a id="dl" href="/file.txt" download>get</a></body></html>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    await isolation.init();
    writeFileSync(secretFile, 'node secret\n', { mode: 0o600 });
    writeFileSync(hostFile, `<p>${hostText}</p>`, { mode: 0o644 });
    [a, b] = await Promise.all([launch('session-a'), launch('session-b')]);
  });

  afterAll(async () => {
    delete process.env.HANGAR_INTERNAL_SECRET_PROBE;
    for (const client of clients) await client.disconnect().catch(() => undefined);
    for (const browser of browsers) await browser.teardown().then(() => browser.removeProfile());
    await new Promise((resolve) => site.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('probes the host and plans every fence this machine allows', () => {
    expect(isolation.plan).toMatchObject({ ownUsers: true, mountNamespace: true, sandbox: true });
  });

  it('runs each browser as an unprivileged user of its own, never root', () => {
    for (const browser of [a, b]) {
      expect(browser.user).toBeDefined();
      expect(statSync(`/proc/${browser.pid}`).uid).toBe(browser.user!.uid);
      expect(browser.user!.uid).not.toBe(0);
    }
    expect(a.user!.uid).not.toBe(b.user!.uid);
  });

  it('gives each browser folders only its user can open, inside a folder only the node can list', () => {
    for (const browser of [a, b]) {
      const top = statSync(browser.folders.root);
      expect([top.uid, top.mode & 0o777]).toEqual([0, 0o711]);
      for (const sub of [browser.folders.profile, browser.folders.downloads, browser.folders.uploads, browser.folders.home]) {
        const s = statSync(sub);
        expect([s.uid, s.mode & 0o777]).toEqual([browser.user!.uid, 0o700]);
      }
    }
    expect(statSync(config.profilesRoot).mode & 0o777).toBe(0o711);
  });

  it("keeps one browser's user out of another's profile, the session list and the node's secrets", () => {
    const { uid, gid } = a.user!;
    expect(existsSync(path.join(b.folders.profile, 'Local State'))).toBe(true);
    expect(asUser(uid, gid, 'cat', [path.join(b.folders.profile, 'Local State')]).code).not.toBe(0);
    expect(asUser(uid, gid, 'ls', [b.folders.downloads]).code).not.toBe(0);
    expect(asUser(uid, gid, 'ls', [config.profilesRoot]).code).not.toBe(0);
    expect(asUser(uid, gid, 'cat', [secretFile]).code).not.toBe(0);
    // Its own folders it may use.
    expect(asUser(uid, gid, 'touch', [path.join(a.folders.downloads, 'mine')]).code).toBe(0);
  });

  it("gives the browser a clean environment: nothing of the node's reaches it", () => {
    const environ = readFileSync(`/proc/${a.pid}/environ`, 'utf8').split('\0').filter(Boolean);
    const names = environ.map((entry) => entry.slice(0, entry.indexOf('=')));
    expect(names).not.toContain('HANGAR_INTERNAL_SECRET_PROBE');
    expect(names.filter((n) => /^(HANGAR_|NATS_|DATABASE_)/.test(n))).toEqual([]);
    expect(environ).toContain(`HOME=${a.folders.home}`);
  });

  it("runs Chromium's sandbox: renderers are under seccomp in namespaces of their own", async () => {
    const client = await connect(a);
    const page = await client.newPage();
    await page.goto(siteUrl);
    const renderer = await eventually(
      () => processesOfUid(a.user!.uid).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')),
      (pid) => pid !== undefined,
    );
    const status = readFileSync(`/proc/${renderer}/status`, 'utf8');
    expect(status).toMatch(/Seccomp:\s+2/);
    expect(readlinkSync(`/proc/${renderer}/ns/user`)).not.toBe(readlinkSync(`/proc/${a.pid}/ns/user`));
    expect(readFileSync(`/proc/${a.pid}/cmdline`, 'utf8').split('\0')).not.toContain('--no-sandbox');
    await page.close();
  });

  it('closes file:, chrome: and view-source: to pages and to CDP clients, by Chromium policy alone', async () => {
    const client = await connect(b);
    for (const url of [`file://${hostFile}`, 'file:///etc/hostname', `file://${config.dataDir}/`, 'chrome://version', 'view-source:file:///etc/passwd']) {
      // A page each: an error page swaps the renderer, and the frame a second goto names is gone.
      const tab = await client.newPage();
      await expect(tab.goto(url)).rejects.toThrow(/ERR_BLOCKED_BY_ADMINISTRATOR/);
      await tab.close();
    }
    const page = await client.newPage();
    await page.goto(siteUrl);
    const fromPage = await page.evaluate(async (url) => {
      const fetched = await fetch(url).then(
        (r) => r.text(),
        () => 'refused',
      );
      const frame = document.createElement('iframe');
      frame.src = url;
      document.body.append(frame);
      await new Promise((r) => setTimeout(r, 300));
      let framed: string;
      try {
        framed = frame.contentDocument?.body?.innerText ?? 'unreadable';
      } catch {
        framed = 'unreadable';
      }
      return { fetched, framed };
    }, `file://${hostFile}`);
    expect(fromPage.fetched).toBe('refused');
    expect(fromPage.framed).not.toContain(hostText);
    const session = await client.target().createCDPSession();
    const { targetId } = (await session.send('Target.createTarget', { url: `file://${hostFile}` })) as { targetId: string };
    const opened = await eventually(
      async () => (await client.pages()).find((p) => (p.target() as unknown as { _targetId: string })._targetId === targetId),
      (p) => p !== undefined,
    );
    await eventually(() => opened!.url(), (url) => url.startsWith('chrome-error://'));
    expect(await opened!.content()).not.toContain(hostText);
    await page.close();
  });

  it('lands a download in the downloads folder when no client said where', async () => {
    const client = await connect(b);
    const page = await client.newPage();
    await page.goto(siteUrl);
    await page.click('#dl');
    await eventually(() => readdirSync(b.folders.downloads), (names) => names.includes('report.txt'), 10_000);
    expect(readFileSync(path.join(b.folders.downloads, 'report.txt'), 'utf8')).toBe('a download');
    await page.close();
  });

  it("gives each browser a /dev/shm of its own, which the host's does not share", () => {
    const marker = `/dev/shm/hangar-isolation-${process.pid}`;
    writeFileSync(marker, 'host');
    try {
      expect(existsSync(`/proc/${a.pid}/root${marker}`)).toBe(false);
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it('on release kills what the user still runs (even outside the group) and frees the user', async () => {
    const extra = await launch('session-c');
    const { uid, gid } = extra.user!;
    // A process of the browser's user that left its process group, as an escaped one could.
    const stray = spawn('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', 'sleep', '600'], { detached: true, stdio: 'ignore' });
    await eventually(() => statSync(`/proc/${stray.pid}`).uid, (owner) => owner === uid);
    writeFileSync(path.join('/tmp', `hangar-isolation-stray-${process.pid}`), 'left behind');
    spawnSync('chown', [`${uid}:${gid}`, path.join('/tmp', `hangar-isolation-stray-${process.pid}`)]);
    await extra.teardown();
    await extra.removeProfile();
    expect(processesOfUid(uid)).toEqual([]);
    expect(existsSync(extra.folders.root)).toBe(false);
    expect(existsSync(path.join('/tmp', `hangar-isolation-stray-${process.pid}`))).toBe(false);
    expect(existsSync(path.join(config.browserUserLeaseDir, extra.user!.name))).toBe(false);
  });
});

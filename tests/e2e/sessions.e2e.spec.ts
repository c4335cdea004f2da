import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase, { toFile } from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { chromium } from 'playwright-core';
import { subjects } from '@hangar/contracts';
import { makeZip } from '@hangar/testing';
import { api, chromiumProcesses, eventually, startTestStack, type TestStack } from './harness.js';

// Errors from Node's own modules come from another realm under jest's VM: `toThrow` does not
// recognise them as errors, so match on the message.
async function expectRefused(browserWSEndpoint: string, status: RegExp) {
  await expect(puppeteer.connect({ browserWSEndpoint })).rejects.toMatchObject({ message: expect.stringMatching(status) });
}

// The official SDK, Puppeteer and Playwright against the whole stack, unchanged but for baseURL.
describe('session lifecycle through the gateway', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>Hangar test page</title><h1 id="hello">hello from loopback</h1>');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    t = await startTestStack({ concurrency: 4 });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => site?.close(r));
  });

  const status = async (id: string) => (await bb.sessions.retrieve(id)).status;

  it('create → retrieve → drive the first page with Puppeteer → list → release', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true, userMetadata: { suite: 'e2e', run: { id: 'r-1' } } });
    expect(created).toMatchObject({ projectId: t.stack.projectId, status: 'RUNNING', keepAlive: true, region: 'us-west-2' });
    expect(created.connectUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?signingKey=/);
    expect(created.seleniumRemoteUrl).toMatch(/\/webdriver$/);
    expect(typeof created.signingKey).toBe('string');

    // Read-your-writes: straight after the 201, whatever the projector is doing.
    const retrieved = await bb.sessions.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: 'RUNNING', connectUrl: created.connectUrl });

    const browser = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const pages = await browser.pages();
    expect(pages.length).toBeGreaterThanOrEqual(1);
    const page = pages[0]!;
    await page.goto(siteUrl);
    expect(await page.title()).toBe('Hangar test page');
    expect(await page.$eval('#hello', (el) => el.textContent)).toBe('hello from loopback');
    await browser.disconnect();

    const listed = await eventually(() => bb.sessions.list({ q: "user_metadata['run']['id']:'r-1'" }), (l) => l.some((s) => s.id === created.id));
    expect(listed.every((s) => (s.userMetadata as any)?.run?.id === 'r-1')).toBe(true);
    const running = await eventually(() => bb.sessions.list({ status: 'RUNNING' }), (l) => l.some((s) => s.id === created.id));
    expect(running.every((s) => s.status === 'RUNNING')).toBe(true);

    const released = await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });
    expect(released).toMatchObject({ id: created.id, status: 'COMPLETED' });
    expect(released.endedAt).toBeTruthy();
    expect(await status(created.id)).toBe('COMPLETED');
    // Releasing again answers the final state.
    expect((await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE' })).status).toBe('COMPLETED');
  });

  it('drives the session with Playwright connectOverCDP, using the existing context and page', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId });
    const browser = await chromium.connectOverCDP(created.connectUrl);
    const context = browser.contexts()[0]!;
    const page = context.pages()[0]!;
    await page.goto(siteUrl);
    expect(await page.textContent('#hello')).toBe('hello from loopback');
    await browser.close();
    // Without keepAlive the last client leaving ends the session.
    await eventually(() => status(created.id), (s) => s === 'COMPLETED');
  });

  it('ends a non-keepAlive session when its client disconnects and tears the browser down', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId });
    const browser = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const before = chromiumProcesses(t.dataDir).length;
    expect(before).toBeGreaterThan(0);
    await browser.disconnect();
    await eventually(() => status(created.id), (s) => s === 'COMPLETED');
    const after = await bb.sessions.retrieve(created.id);
    expect(after.endedAt).toBeTruthy();
    expect(after.connectUrl).toBeUndefined();
    // A connect to an ended session is refused.
    await expectRefused(created.connectUrl, /410/);
  });

  it('keeps a keepAlive session across disconnects and serves several clients', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const first = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const second = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const [page] = await first.pages();
    await page!.goto(siteUrl);
    const seen = await second.pages();
    expect(seen.some((p) => p.url() === siteUrl)).toBe(true);
    await first.disconnect();
    await second.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    expect(await status(created.id)).toBe('RUNNING');
    const again = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const [p] = await again.pages();
    expect(p!.url()).toBe(siteUrl);
    await again.disconnect();
    await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE' });
    expect(await status(created.id)).toBe('COMPLETED');
  });

  it('ends the session when a Puppeteer client closes the browser', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const browser = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    await browser.close();
    await eventually(() => status(created.id), (s) => s === 'COMPLETED');
  });

  it('connects with ?apiKey=&sessionId= and creates a session on connect with ?apiKey= alone', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId });
    const wsBase = t.stack.apiUrl.replace('http', 'ws');
    const byId = await puppeteer.connect({ browserWSEndpoint: `${wsBase}/?apiKey=${t.stack.apiKey}&sessionId=${created.id}` });
    expect((await byId.pages()).length).toBeGreaterThanOrEqual(1);
    await byId.disconnect();
    await eventually(() => status(created.id), (s) => s === 'COMPLETED');

    const before = new Set((await bb.sessions.list()).map((s) => s.id));
    const fresh = await puppeteer.connect({ browserWSEndpoint: `${wsBase}/?apiKey=${t.stack.apiKey}` });
    const [page] = await fresh.pages();
    await page!.goto(siteUrl);
    const made = await eventually(() => bb.sessions.list({ status: 'RUNNING' }), (l) => l.some((s) => !before.has(s.id)));
    const id = made.find((s) => !before.has(s.id))!.id;
    await fresh.disconnect();
    await eventually(() => status(id), (s) => s === 'COMPLETED');
  });

  it("the SDK's create body reaches the node as one shape: the top-level extensionId in browserSettings, the project's default timeout from the scheduler", async () => {
    const project = await bb.projects.retrieve(t.stack.projectId);
    const manifest = JSON.stringify({ manifest_version: 3, name: 'e2e', version: '1' });
    const extension = await bb.extensions.create({ file: await toFile(makeZip([{ name: 'manifest.json', data: manifest }]), 'e2e.zip') });
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true, extensionId: extension.id, browserSettings: { os: 'linux' } });
    expect(created.status).toBe('RUNNING');
    const events = (await t.stack.store.read(subjects.sessionEvents(created.id))).map((e) => e.event);
    const requested = events.find((e) => e.type === 'SessionRequested');
    if (requested?.type !== 'SessionRequested') throw new Error('no SessionRequested');
    expect(requested.data).toMatchObject({ timeoutSeconds: project.defaultTimeout, browserSettings: { extensionId: extension.id, os: 'linux' } });
    expect(requested.data).not.toHaveProperty('extensionId');
    // The node launched this browser for the session (an extension never fits a warm one): its
    // own profile folder, named by the session, is on the command line.
    const started = events.find((e) => e.type === 'SessionStarted');
    if (started?.type !== 'SessionStarted') throw new Error('no SessionStarted');
    expect(readFileSync(`/proc/${started.data.pid}/cmdline`, 'utf8')).toContain(created.id);
    await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });
  });

  it('refuses connects with a wrong signing key or API key', async () => {
    const wsBase = t.stack.apiUrl.replace('http', 'ws');
    await expectRefused(`${wsBase}/?signingKey=nope.nope`, /401/);
    await expectRefused(`${wsBase}/?apiKey=wrong`, /401/);
    const res = await api(t.stack, 'GET', '/v1/sessions', undefined, 'wrong-key');
    expect(res.status).toBe(401);
  });
});

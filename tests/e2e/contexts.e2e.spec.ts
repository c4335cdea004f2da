import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { eventually, startTestStack, type TestStack } from './harness.js';

/*
 * Contexts end to end with the official SDK, as Browserbase documents them: a context, a session
 * that logs in with `persist: true`, and a second session that finds the login. Unlike upstream
 * ("wait ~5 s for the context to persist"), the profile is saved before the session reads
 * COMPLETED: the next session can start at once.
 */
const MARKER = 'e2e-login-token-7f3a';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('contexts', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      if (req.url === '/login') res.setHeader('set-cookie', [`sid=${MARKER}; Path=/; HttpOnly`, 'remember=yes; Max-Age=86400; Path=/']);
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>shop</title><p>${req.headers.cookie ?? ''}</p>`);
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

  async function loggedIn(connectUrl: string) {
    const browser = await puppeteer.connect({ browserWSEndpoint: connectUrl });
    const [page] = await browser.pages();
    await page!.goto(`${siteUrl}/`);
    const seen = { server: await page!.$eval('p', (p) => p.textContent), local: await page!.evaluate(() => localStorage.getItem('cart')) };
    await browser.disconnect();
    return seen;
  }

  it('a persisting session\'s login is in the context when it reads COMPLETED; the next session starts logged in', async () => {
    const context = await bb.contexts.create({ projectId: t.stack.projectId });
    expect(context).toMatchObject({ id: expect.any(String), cipherAlgorithm: 'AES-256-CBC', initializationVectorSize: 16 });

    const first = await bb.sessions.create({ projectId: t.stack.projectId, browserSettings: { context: { id: context.id, persist: true } } });
    expect(first).toMatchObject({ contextId: context.id });
    const browser = await puppeteer.connect({ browserWSEndpoint: first.connectUrl });
    const [page] = await browser.pages();
    await page!.goto(`${siteUrl}/login`);
    await page!.evaluate(() => localStorage.setItem('cart', 'three apples'));
    // As the SDK's examples end a session: close the browser.
    await browser.close();
    await eventually(() => bb.sessions.retrieve(first.id), (s) => s.status === 'COMPLETED', 20_000);

    const second = await bb.sessions.create({ projectId: t.stack.projectId, browserSettings: { context: { id: context.id, persist: true } } });
    expect(await loggedIn(second.connectUrl)).toEqual({ server: expect.stringContaining(`sid=${MARKER}`), local: 'three apples' });
    // REQUEST_RELEASE answers once the end is recorded, so once the save is.
    await bb.sessions.update(second.id, { projectId: t.stack.projectId, status: 'REQUEST_RELEASE' });
    const third = await bb.sessions.create({ projectId: t.stack.projectId, browserSettings: { context: { id: context.id } } });
    expect(await loggedIn(third.connectUrl)).toMatchObject({ server: expect.stringContaining('remember=yes') });
    await bb.sessions.update(third.id, { projectId: t.stack.projectId, status: 'REQUEST_RELEASE' });

    // At rest, sealed: no stored file holds the login, and the profiles are the context's own.
    const stored = filesUnder(t.stack.artifactDir).filter((f) => f.includes(`/contexts/${context.id}/`));
    expect(stored).toHaveLength(2);
    for (const file of filesUnder(t.stack.artifactDir)) expect([file, readFileSync(file).includes(MARKER)]).toEqual([file, false]);
    expect(stored.every((f) => statSync(f).size > 1000)).toBe(true);

    await bb.contexts.delete(context.id);
    await expect(bb.contexts.retrieve(context.id)).rejects.toMatchObject({ status: 404 });
    await eventually(() => filesUnder(t.stack.artifactDir).filter((f) => f.includes(`/contexts/${context.id}/`)), (left) => left.length === 0, 5_000);
    await expect(bb.sessions.create({ projectId: t.stack.projectId, browserSettings: { context: { id: context.id } } })).rejects.toMatchObject({ status: 400 });
  }, 120_000);
});

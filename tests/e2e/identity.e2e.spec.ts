import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

/*
 * A session's identity and request fences end to end with the official SDK: `os` and `viewport`
 * are what page code sees, `allowedDomains` stops a navigation before it leaves the browser and
 * the session's logs say so, `blockAds` keeps an ad request from reaching the site, the
 * settings Hangar does not provide are accepted and change nothing, and a bad `allowedDomains`
 * is a 400 naming the entry.
 */
describe('identity and request fences', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let port: number;
  const paths: string[] = [];

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      paths.push(req.url ?? '/');
      if (req.url?.endsWith('.gif')) return res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>t</title><img src="/banners/300x250.gif"><img src="/images/logo.gif">`);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    port = (site.address() as AddressInfo).port;
    t = await startTestStack({ concurrency: 2 });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => site?.close(r));
  });

  it('applies os, viewport, allowedDomains and blockAds, and logs what it blocked', async () => {
    const session = await bb.sessions.create({
      projectId: t.stack.projectId,
      browserSettings: { os: 'mac', viewport: { width: 1280, height: 720 }, allowedDomains: ['localhost'], blockAds: true, solveCaptchas: true, advancedStealth: true },
    });
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl, defaultViewport: null });
    const page = (await browser.pages())[0]!;
    await page.goto(`http://localhost:${port}/`, { waitUntil: 'load' });
    const seen = await page.evaluate(() => ({ ua: navigator.userAgent, platform: navigator.platform, webdriver: navigator.webdriver, size: [innerWidth, innerHeight] }));
    expect(seen).toMatchObject({ platform: 'MacIntel', webdriver: false, size: [1280, 720] });
    expect(seen.ua).toContain('Macintosh');
    expect(seen.ua).not.toContain('Headless');
    expect(paths).toContain('/images/logo.gif');
    expect(paths).not.toContain('/banners/300x250.gif');
    const blocked = await page.goto(`http://127.0.0.1:${port}/elsewhere`).catch((err: Error) => err.message);
    expect(blocked).toMatch(/ERR_BLOCKED_BY_CLIENT/);
    expect(paths).not.toContain('/elsewhere');
    // The only client leaves: the session ends and its logs are archived.
    await browser.disconnect();

    const logs = await eventually(() => bb.sessions.logs.list(session.id), (l) => l.some((e) => e.method === 'Hangar.requestBlocked' && JSON.stringify(e.request).includes('/elsewhere')), 15_000);
    const reasons = logs.filter((e) => e.method === 'Hangar.requestBlocked').map((e) => (e.request?.params as { reason?: string }).reason);
    expect(reasons).toEqual(expect.arrayContaining(['allowedDomains', 'blockAds']));
  });

  it('answers 400 naming the entry for a bad allowedDomains', async () => {
    const res = await api(t.stack, 'POST', '/v1/sessions', { projectId: t.stack.projectId, browserSettings: { allowedDomains: ['example.com', 'http://x.test/path'] } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('browserSettings.allowedDomains[1] must be a domain');
  });
});

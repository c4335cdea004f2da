import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase from '@browserbasehq/sdk';
import puppeteer, { type Browser as PBrowser, type Page as PPage } from 'puppeteer-core';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { findChromium } from '@hangar/chromium';
import { liveUrlsSchema } from '../../apps/gateway/src/live-view/live-urls.resource.js';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

/*
 * The live view end to end: the official SDK's `sessions.debug`, the viewer page framed by a page
 * of another origin in a real Chromium, clicks and keys reaching the session's page (seen through
 * the client's own Puppeteer), the view-only URL whose input goes nowhere, DevTools through the
 * gateway, and the tokens' limits (expired, forged, another session's, never the API).
 */
const FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

// The button fills the bottom-right quarter; the input sits in the top-left one.
const BUTTON_PAGE = `<title>buttons</title><style>html,body{margin:0;height:100%;background:#fff}
#b{position:fixed;left:50%;top:50%;width:50%;height:50%;background:#0a0}#t{position:fixed;left:10%;top:10%;width:30%;height:10%}</style>
<input id="t"><button id="b">click</button><script>window.clicks=0;b.onclick=()=>window.clicks++;</script>`;
const solid = (color: string) => `<title>${color}</title><style>html,body{margin:0;height:100%;background:${color}}</style>`;

const hostPage = (src: string) => `<title>host</title><style>body{margin:0}iframe{border:0;width:800px;height:600px}</style>
<iframe id="live" src="${src.replace(/"/g, '&quot;')}"></iframe>
<script>window.messages=[];addEventListener('message',(e)=>window.messages.push(e.data));</script>`;

describe('live view through the gateway', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;
  let viewerBrowser: Browser;
  let client: PBrowser;
  let sessionPage: PPage;
  let sessionId: string;
  let viewportBefore: number[];
  let debug: Awaited<ReturnType<Browserbase['sessions']['debug']>> & { readOnlyDebuggerFullscreenUrl?: string };

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.writeHead(200, { 'content-type': 'text/html' });
      if (url.pathname === '/buttons') return res.end(BUTTON_PAGE);
      if (url.pathname === '/tall') return res.end('<title>tall</title><div style="height:5000px;background:linear-gradient(#fff,#00f)"></div>');
      if (url.pathname === '/host') return res.end(hostPage(url.searchParams.get('src') ?? ''));
      res.end(solid(url.pathname.slice(1) || 'white'));
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    t = await startTestStack({ concurrency: 4 });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    sessionId = created.id;
    client = await puppeteer.connect({ browserWSEndpoint: created.connectUrl, defaultViewport: null });
    sessionPage = (await client.pages())[0]!;
    await sessionPage.goto(`${siteUrl}/buttons`);
    viewportBefore = await sessionPage.evaluate(() => [innerWidth, innerHeight]);
    viewerBrowser = await chromium.launch({ executablePath: findChromium() ?? '/usr/bin/chromium', args: FLAGS });
    debug = await bb.sessions.debug(sessionId);
  }, 120_000);

  afterAll(async () => {
    await viewerBrowser?.close();
    await client?.disconnect().catch(() => undefined);
    await t?.stop();
    await new Promise((r) => site?.close(r));
  });

  /** The host page with the viewer framed in it, once the first frame is painted. */
  async function framed(src: string): Promise<{ page: Page; frame: Frame }> {
    const page = await viewerBrowser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(`${siteUrl}/host?src=${encodeURIComponent(src)}`);
    const frame = await eventually(async () => page.frames().find((f) => f.url().startsWith(t.stack.apiUrl)), (f) => !!f);
    await frame!.waitForFunction(() => Number(document.body.dataset.frames) >= 1, undefined, { timeout: 15_000 });
    return { page, frame: frame! };
  }

  /** Where on the host page a fraction of the session's viewport is shown (the picture is letterboxed). */
  async function at(page: Page, frame: Frame, fx: number, fy: number) {
    const box = (await (await frame.frameElement()).boundingBox())!;
    const p = await frame.evaluate(([fx, fy]) => {
      const c = document.querySelector('canvas')!;
      const r = c.getBoundingClientRect();
      const s = Math.min(r.width / c.width, r.height / c.height);
      return { x: r.left + (r.width - c.width * s) / 2 + c.width * s * fx!, y: r.top + (r.height - c.height * s) / 2 + c.height * s * fy! };
    }, [fx, fy]);
    return { x: box.x + p.x, y: box.y + p.y };
  }

  /** The picture's colour at a fraction of its width and height. */
  const pixel = (frame: Frame, fx: number, fy: number) =>
    frame.evaluate(([fx, fy]) => {
      const c = document.querySelector('canvas')!;
      return Array.from(c.getContext('2d')!.getImageData(Math.floor(c.width * fx!), Math.floor(c.height * fy!), 1, 1).data.slice(0, 3));
    }, [fx, fy]);

  it('answers the SDK with every URL on the gateway, carrying a token, and the pages from the node', async () => {
    expect(liveUrlsSchema.parse(debug)).toEqual(debug);
    expect(debug.pages.length).toBeGreaterThanOrEqual(1);
    const page = debug.pages.find((p) => p.url === `${siteUrl}/buttons`)!;
    expect(page).toMatchObject({ title: 'buttons', id: expect.stringMatching(/^[A-F0-9]{32}$/) });
    for (const url of [debug.debuggerFullscreenUrl, debug.debuggerUrl, page.debuggerFullscreenUrl, page.debuggerUrl, debug.readOnlyDebuggerFullscreenUrl!]) {
      expect(url.startsWith(`${t.stack.apiUrl}/live/${sessionId}/`)).toBe(true);
    }
    expect(debug.wsUrl).toMatch(new RegExp(`^ws://[^/]+/live/${sessionId}/[^/]+/devtools/page/${page.id}$`));
    expect(debug.debuggerUrl).toContain('/devtools/inspector.html?ws=');
  });

  it('frames the viewer in another origin, follows navigation, and clicks and types into the page', async () => {
    const { page, frame } = await framed(debug.debuggerFullscreenUrl);
    await sessionPage.goto(`${siteUrl}/red`);
    const red = await eventually(() => pixel(frame, 0.5, 0.5), ([r, g, b]) => r! > 200 && g! < 60 && b! < 60, 10_000);
    expect(red[0]).toBeGreaterThan(200);
    await sessionPage.goto(`${siteUrl}/buttons`);
    await eventually(() => pixel(frame, 0.75, 0.75), ([r, g, b]) => r! < 60 && b! < 60 && g! > 40, 10_000);

    // A click in the top-left quarter misses the button; one in the bottom-right hits it.
    const miss = await at(page, frame, 0.8, 0.2);
    await page.mouse.click(miss.x, miss.y);
    const hit = await at(page, frame, 0.75, 0.75);
    await page.mouse.click(hit.x, hit.y);
    expect(await eventually(() => sessionPage.evaluate(() => (window as unknown as { clicks: number }).clicks), (n) => n === 1, 10_000)).toBe(1);

    const input = await at(page, frame, 0.25, 0.15);
    await page.mouse.click(input.x, input.y);
    await page.keyboard.type('hi');
    expect(await eventually(() => sessionPage.$eval('#t', (el) => (el as HTMLInputElement).value), (v) => v === 'hi', 10_000)).toBe('hi');
    // The viewer never resized the client's viewport (no device metrics override).
    expect(await sessionPage.evaluate(() => [innerWidth, innerHeight])).toEqual(viewportBefore);

    // The wheel scrolls the page.
    await sessionPage.goto(`${siteUrl}/tall`);
    const middle = await at(page, frame, 0.5, 0.5);
    await page.mouse.move(middle.x, middle.y);
    await eventually(async () => {
      await page.mouse.wheel(0, 400);
      return sessionPage.evaluate(() => scrollY);
    }, (y) => y > 0, 10_000);
    await sessionPage.goto(`${siteUrl}/buttons`);
    await page.close();
  });

  it('the view-only URL shows frames, but neither its page nor a raw socket can click', async () => {
    await sessionPage.reload();
    const { page, frame } = await framed(debug.readOnlyDebuggerFullscreenUrl!);
    const hit = await at(page, frame, 0.75, 0.75);
    await page.mouse.click(hit.x, hit.y);
    // The page hides nothing but sends nothing either; a hostile viewer sends anyway.
    const socketUrl = `${debug.readOnlyDebuggerFullscreenUrl!.replace(/^http/, 'ws')}/ws`;
    const ws = new WebSocket(socketUrl);
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const [w, h] = await sessionPage.evaluate(() => [innerWidth, innerHeight]);
    for (const action of ['down', 'up']) ws.send(JSON.stringify({ type: 'mouse', action, x: w! * 0.75, y: h! * 0.75, imageWidth: w, imageHeight: h, button: 'left', buttons: 1, clickCount: 1 }));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await sessionPage.evaluate(() => (window as unknown as { clicks: number }).clicks)).toBe(0);
    ws.close();
    // It opens neither DevTools nor a CDP socket.
    const token = new URL(debug.readOnlyDebuggerFullscreenUrl!).pathname.split('/')[3]!;
    const devtools = await fetch(`${t.stack.apiUrl}/live/${sessionId}/${token}/devtools/inspector.html`);
    expect(devtools.status).toBe(403);
    await expect(openSocket(debug.wsUrl.replace(/\/live\/([^/]+)\/[^/]+\//, `/live/$1/${token}/`))).rejects.toThrow(/403/);
    await page.close();
  });

  it('casts a background tab without making it the client’s active tab', async () => {
    const front = await client.newPage();
    await front.goto(`${siteUrl}/blue`);
    await front.bringToFront();
    const { page, frame } = await framed(debug.debuggerFullscreenUrl);
    await sessionPage.evaluate(() => (document.body.style.background = 'red'));
    await eventually(() => pixel(frame, 0.25, 0.9), ([r, g, b]) => r! > 200 && g! < 60 && b! < 60, 10_000);
    expect(await front.evaluate(() => document.visibilityState)).toBe('visible');
    await sessionPage.evaluate(() => (document.body.style.background = '#fff'));
    await page.close();
    await front.close();
  });

  it('loads Chromium’s DevTools through the gateway, its page socket included', async () => {
    const page = await viewerBrowser.newPage();
    const frames: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    const res = await page.goto(debug.debuggerUrl);
    expect(res?.status()).toBe(200);
    // DevTools' first frames over its page socket may be events; an answer to one of its calls follows.
    await eventually(async () => frames.some((f) => f.includes('"result"')), (answered) => answered, 20_000);
    await page.close();
  });

  it('wsUrl is a guarded page-level CDP socket: it evaluates, but cannot open host files', async () => {
    const ws = await openSocket(debug.wsUrl);
    const call = (id: number, method: string, params: object) =>
      new Promise<any>((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const m = JSON.parse(String(data));
          if (m.id !== id) return;
          ws.off('message', onMessage);
          resolve(m);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, method, params }));
      });
    expect((await call(1, 'Runtime.evaluate', { expression: 'document.title', returnByValue: true })).result.result.value).toBe('buttons');
    expect((await call(2, 'Page.navigate', { url: 'file:///etc/passwd' })).error.message).toMatch(/Hangar refused/);
    ws.close();
  });

  it('refuses expired, forged and other sessions’ tokens with 401, and a token is never an API key', async () => {
    const short = await bb.sessions.debug(sessionId, { expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2_100));
    const expired = await fetch(short.debuggerFullscreenUrl);
    expect(expired.status).toBe(401);
    expect((await expired.json()).message).toMatch(/expired/);
    await expect(openSocket(short.wsUrl)).rejects.toThrow(/401/);

    const token = new URL(debug.debuggerFullscreenUrl).pathname.split('/')[3]!;
    const forged = debug.debuggerFullscreenUrl.replace(token, `${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`);
    expect((await fetch(forged)).status).toBe(401);

    const other = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const theirs = await eventually(() => bb.sessions.debug(other.id).catch(() => undefined), (d) => !!d, 10_000);
    const theirToken = new URL(theirs!.debuggerFullscreenUrl).pathname.split('/')[3]!;
    const swapped = await fetch(debug.debuggerFullscreenUrl.replace(token, theirToken));
    expect(swapped.status).toBe(401);
    expect((await swapped.json()).message).toMatch(/another session/);

    expect((await api(t.stack, 'GET', `/v1/sessions/${sessionId}`, undefined, token)).status).toBe(401);
    await bb.sessions.update(other.id, { status: 'REQUEST_RELEASE' });
  });

  it('validates expiresIn and keeps other projects out (404)', async () => {
    for (const bad of ['0', '21601', 'soon', '1.5']) {
      const res = await api(t.stack, 'GET', `/v1/sessions/${sessionId}/debug?expiresIn=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/expiresIn/);
    }
    const other = await t.stack.seedProject({ concurrency: 1, name: 'Other' });
    expect((await api(t.stack, 'GET', `/v1/sessions/${sessionId}/debug`, undefined, other.apiKey)).status).toBe(404);
    expect((await api(t.stack, 'GET', `/v1/sessions/${sessionId}/debug`, undefined, 'not-a-key')).status).toBe(401);
    const token = new URL(debug.debuggerFullscreenUrl).pathname.split('/')[3]!;
    expect((await fetch(`${t.stack.apiUrl}/live/${sessionId}/${token}/devtools/%2e%2e/json/list`)).status).toBe(404);
  });

  it('tells the embedder when the session ends, and answers /debug for an ended session with 410', async () => {
    const { page } = await framed(debug.debuggerFullscreenUrl);
    await client.disconnect();
    await bb.sessions.update(sessionId, { status: 'REQUEST_RELEASE' });
    await page.waitForFunction(() => (window as unknown as { messages: unknown[] }).messages.includes('browserbase-disconnected'), undefined, { timeout: 15_000 });
    expect((await api(t.stack, 'GET', `/v1/sessions/${sessionId}/debug`)).status).toBe(410);
    expect((await fetch(debug.debuggerFullscreenUrl)).status).toBe(410);
    await page.close();
  });
});

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

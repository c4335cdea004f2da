import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Browserbase from '@browserbasehq/sdk';
import { commandLine } from '@hangar/chromium';
import { subjects } from '@hangar/contracts';
import { freePort } from '@hangar/stack';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { WebSocketServer } from 'ws';
import { startTestStack, type TestStack } from './harness.js';

/*
 * The egress policy end to end, on loopback only: a session's page (navigations, fetch, a
 * WebSocket) reaches a local site, as npm start's policy allows, but none of Hangar's own
 * services on the same host: NATS, Postgres, its node's CDP and ops ports and another
 * session's browser's DevTools, by address or by a name that resolves to them (`localhost`), and not
 * what HANGAR_EGRESS_DENY names, unless HANGAR_EGRESS_ALLOW opens it. Every refusal is the
 * proxy's 403, never the service's answer.
 */
const REFUSED = /Hangar's egress policy refused this connection/;

describe('the egress policy', () => {
  let t: TestStack;
  let bb: Browserbase;
  const sites: http.Server[] = [];
  let sitePort: number;
  let opsPort: number;
  let browser: Browser;
  let page: Page;
  let sessionId: string;

  const serve = (host: string, port = 0) =>
    new Promise<number>((resolve) => {
      const site = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html', 'access-control-allow-origin': '*' }).end(`<title>site ${host}</title>`));
      sites.push(site);
      site.listen(port, host, () => resolve((site.address() as AddressInfo).port));
    });

  beforeAll(async () => {
    sitePort = await serve('127.0.0.1');
    await serve('127.0.0.2', sitePort);
    await serve('127.0.0.3', sitePort);
    // A WebSocket server and a CORS-open page on the denied host and the allowed one: page code reads both where it may.
    for (const site of sites.slice(1)) new WebSocketServer({ server: site }).on('connection', (ws) => ws.send('hello'));
    opsPort = await freePort();
    t = await startTestStack({
      concurrency: 2,
      env: { 'browser-node': { HANGAR_OPS_PORT: String(opsPort), HANGAR_EGRESS_DENY: '127.0.0.2,127.0.0.3', HANGAR_EGRESS_ALLOW: '127.0.0.3' } },
    });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
    const session = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    sessionId = session.id;
    browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    page = (await browser.pages())[0]!;
  });

  afterAll(async () => {
    await browser?.disconnect().catch(() => undefined);
    await t?.stop();
    for (const site of sites) await new Promise((r) => site.close(r));
  });

  /** Status and text of a navigation, as the page got it. */
  const visit = async (url: string) => {
    const res = await page.goto(url).catch((err: Error) => err);
    if (res instanceof Error) return { status: 0, text: res.message };
    return { status: res!.status(), text: await res!.text() };
  };

  const port = (url: string) => Number(new URL(url).port);

  it('a local site is reachable (npm start allows loopback)', async () => {
    expect(await visit(`http://127.0.0.1:${sitePort}/`)).toEqual({ status: 200, text: '<title>site 127.0.0.1</title>' });
    expect(await visit(`http://localhost:${sitePort}/`)).toMatchObject({ status: 200 });
  });

  /** A session's node endpoint and its browser's DevTools port, as its SessionStarted and its profile say. */
  const sessionPorts = async (id: string) => {
    const events = await t.stack.store.read(subjects.sessionEvents(id));
    const started = events.find((e) => e.event.type === 'SessionStarted')!.event as { data: { endpoint: string; pid: number } };
    const profile = /--user-data-dir=(\S+)/.exec(commandLine(started.data.pid) ?? '')![1]!;
    return { endpoint: started.data.endpoint, devtoolsPort: Number(readFileSync(path.join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0]) };
  };

  it("Hangar's own services are refused, by address and by a name that resolves to them", async () => {
    const own = await sessionPorts(sessionId);
    const other = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const otherPorts = await sessionPorts(other.id);
    const targets = {
      nats: `http://127.0.0.1:${port(t.stack.natsUrl)}/`,
      'nats by name': `http://localhost:${port(t.stack.natsUrl)}/`,
      postgres: `http://127.0.0.1:${port(t.stack.databaseUrl)}/`,
      'node cdp port': `http://127.0.0.1:${port(own.endpoint)}/`,
      'node ops port': `http://127.0.0.1:${opsPort}/healthz`,
      "another session's DevTools": `http://127.0.0.1:${otherPorts.devtoolsPort}/json/version`,
    };
    for (const [name, url] of Object.entries(targets)) {
      const seen = await visit(url);
      expect({ name, ...seen }).toEqual({ name, status: 403, text: expect.stringMatching(REFUSED) });
    }
    // Its own DevTools stays open to its own browser (extensions such as Stagehand's drive it that
    // way; a page's WebSocket to it is refused by Chromium's Origin check).
    expect(await visit(`http://127.0.0.1:${own.devtoolsPort}/json/version`)).toMatchObject({ status: 200 });
    // The gateway is the public endpoint (connectUrls name it; it authenticates every request).
    expect(await visit(`${t.stack.apiUrl}/healthz`)).toMatchObject({ status: 200 });
    await bb.sessions.update(other.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });
  });

  it('page code gets no further: fetch and a WebSocket to a denied host fail', async () => {
    await visit(`http://127.0.0.1:${sitePort}/`);
    const probe = (origin: string) =>
      page.evaluate(async (base) => {
        const fetched = await fetch(`${base}/`).then((r) => `status ${r.status}`, () => 'failed');
        const ws = await new Promise<string>((resolve) => {
          const socket = new WebSocket(base.replace('http', 'ws'));
          socket.onmessage = (e) => resolve(String(e.data));
          socket.onerror = () => resolve('failed');
        });
        return { fetched, ws };
      }, origin);
    expect(await probe(`http://127.0.0.3:${sitePort}`)).toEqual({ fetched: 'status 200', ws: 'hello' });
    // The same page and server, denied: the proxy's 403 (no CORS header: unreadable) and a failed tunnel.
    expect(await probe(`http://127.0.0.2:${sitePort}`)).toEqual({ fetched: 'failed', ws: 'failed' });
  });

  it('HANGAR_EGRESS_DENY refuses what it names; HANGAR_EGRESS_ALLOW wins over it', async () => {
    expect(await visit(`http://127.0.0.2:${sitePort}/`)).toEqual({ status: 403, text: expect.stringMatching(/denied by HANGAR_EGRESS_DENY \(127\.0\.0\.2\)/) });
    expect(await visit(`http://127.0.0.3:${sitePort}/`)).toEqual({ status: 200, text: '<title>site 127.0.0.3</title>' });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase from '@browserbasehq/sdk';
import { Server as ProxyServer } from 'proxy-chain';
import puppeteer, { type Browser } from 'puppeteer-core';
import { WebSocketServer } from 'ws';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

/*
 * `proxies` end to end with the official SDK, against real upstream proxies on loopback
 * (proxy-chain servers, one with credentials as a customer's proxy would have, one as the
 * operator's pool): the session's browser reaches a page through the upstream without a prompt,
 * a `none` rule and a host no rule matches go direct, a WebSocket tunnels through, wrong
 * credentials never fall back to a direct connection, `proxyBytes` counts what went through,
 * and every bad `proxies` is a 400 naming the field.
 */
const PAGE = `<title>proxied</title><p>${'x'.repeat(50_000)}</p>`;

interface Upstream {
  url: string;
  /** host:port of every request or tunnel it carried. */
  seen: string[];
  close(): Promise<void>;
}

async function startUpstream(credentials?: { username: string; password: string }): Promise<Upstream> {
  const seen: string[] = [];
  const server = new ProxyServer({
    port: 0,
    host: '127.0.0.1',
    prepareRequestFunction: ({ username, password, hostname, port }) => {
      if (credentials && (username !== credentials.username || password !== credentials.password)) return { requestAuthentication: true };
      seen.push(`${hostname}:${port}`);
      return {};
    },
  });
  await server.listen();
  return { url: `http://127.0.0.1:${server.port}`, seen, close: () => server.close(true) };
}

describe('session proxies', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  /** The same page on 127.0.0.2 (all of 127/8 is loopback): a third host for the routing rules. */
  let second: http.Server;
  let sitePort: number;
  let wss: WebSocketServer;
  let customer: Upstream;
  let pool: Upstream;
  const credentials = { username: 'customer', password: 's3cret:with@chars' };

  beforeAll(async () => {
    site = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    wss = new WebSocketServer({ server: site });
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${String(m)}`)));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    sitePort = (site.address() as AddressInfo).port;
    second = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((r) => second.listen(sitePort, '127.0.0.2', r));
    customer = await startUpstream(credentials);
    pool = await startUpstream();
    const poolEnv = { HANGAR_PROXY_POOL: JSON.stringify([{ url: pool.url, country: 'US', state: 'NY', city: 'New York' }]) };
    t = await startTestStack({ concurrency: 4, env: { gateway: poolEnv, 'browser-node': poolEnv } });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.stop();
    await customer?.close();
    await pool?.close();
    wss?.close();
    await new Promise((r) => site?.close(r));
    await new Promise((r) => second?.close(r));
  });

  async function withSession<T>(params: Omit<Browserbase.Sessions.SessionCreateParams, 'projectId'>, run: (browser: Browser, id: string) => Promise<T>): Promise<{ result: T; proxyBytes: number; id: string }> {
    const session = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true, ...params });
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    try {
      const result = await run(browser, session.id);
      return { result, id: session.id, proxyBytes: (await bb.sessions.update(session.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId })).proxyBytes };
    } finally {
      await browser.disconnect().catch(() => undefined);
      await bb.sessions.update(session.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId }).catch(() => undefined);
    }
  }

  const title = async (browser: Browser, url: string) => {
    const page = (await browser.pages())[0]!;
    const res = await page.goto(url).catch((err: Error) => err);
    return res instanceof Error ? res.message : `${res?.status()} ${await page.title()}`;
  };

  it('external with credentials: HTTP and a WebSocket go through it, no prompt; proxyBytes counts them', async () => {
    const before = customer.seen.length;
    const { result, proxyBytes, id } = await withSession({ proxies: [{ type: 'external', server: customer.url, ...credentials }] }, async (browser) => {
      const loaded = await title(browser, `http://127.0.0.1:${sitePort}/`);
      const echoed = await (await browser.pages())[0]!.evaluate(
        (url) =>
          new Promise<string>((resolve, reject) => {
            const ws = new WebSocket(url);
            ws.onopen = () => ws.send('hello');
            ws.onmessage = (e) => resolve(String(e.data));
            ws.onerror = () => reject(new Error('websocket failed'));
          }),
        `ws://127.0.0.1:${sitePort}/`,
      );
      return { loaded, echoed };
    });
    expect(result).toEqual({ loaded: '200 proxied', echoed: 'echo hello' });
    expect(customer.seen.slice(before)).toContain(`127.0.0.1:${sitePort}`);
    expect(proxyBytes).toBeGreaterThan(PAGE.length);
    // The projector's row, once it has folded the end.
    const usage = await eventually(() => bb.projects.usage(t.stack.projectId), (u) => u.proxyBytes >= proxyBytes, 10_000);
    expect(usage.proxyBytes).toBeGreaterThanOrEqual(proxyBytes);
    expect((await bb.sessions.retrieve(id)).proxyBytes).toBe(proxyBytes);
  });

  it('routes by domainPattern, first match wins: a none rule and an unmatched host go direct', async () => {
    const before = customer.seen.length;
    const { result, proxyBytes } = await withSession(
      {
        proxies: [
          { type: 'none', domainPattern: 'localhost' },
          { type: 'external', server: customer.url, ...credentials, domainPattern: '127.0.0.1' },
        ],
      },
      async (browser) => ({ direct: await title(browser, `http://localhost:${sitePort}/`), proxied: await title(browser, `http://127.0.0.1:${sitePort}/`), unmatched: await title(browser, `http://127.0.0.2:${sitePort}/`) }),
    );
    expect(result).toEqual({ direct: '200 proxied', proxied: '200 proxied', unmatched: '200 proxied' });
    const seen = customer.seen.slice(before);
    expect(seen).toContain(`127.0.0.1:${sitePort}`);
    expect(seen).not.toContain(`localhost:${sitePort}`);
    expect(seen).not.toContain(`127.0.0.2:${sitePort}`);
    expect(proxyBytes).toBeGreaterThan(PAGE.length);
  });

  it('wrong credentials fail the navigation; nothing goes direct instead', async () => {
    const before = customer.seen.length;
    const { result } = await withSession({ proxies: [{ type: 'external', server: customer.url, username: 'customer', password: 'wrong' }] }, (browser) =>
      title(browser, `http://127.0.0.1:${sitePort}/`),
    );
    // The upstream's refusal comes back as the page (proxy-chain answers an upstream 407 with an error status), never the site.
    expect(result).not.toMatch(/proxied$/);
    expect(customer.seen.length).toBe(before);
  });

  it('proxies: true and type browserbase take the operator pool, by geolocation; without a match, a 400', async () => {
    const before = pool.seen.length;
    const { result } = await withSession({ proxies: [{ type: 'browserbase', geolocation: { country: 'US', state: 'NY', city: 'New York' } }] }, (browser) => title(browser, `http://127.0.0.1:${sitePort}/`));
    expect(result).toBe('200 proxied');
    expect(pool.seen.slice(before)).toContain(`127.0.0.1:${sitePort}`);
    const all = await withSession({ proxies: true }, (browser) => title(browser, `http://localhost:${sitePort}/`));
    expect(all.result).toBe('200 proxied');
    expect(pool.seen.slice(before)).toContain(`localhost:${sitePort}`);
    await expect(bb.sessions.create({ projectId: t.stack.projectId, proxies: [{ type: 'browserbase', geolocation: { country: 'FR' } }] })).rejects.toMatchObject({
      status: 400,
      error: { message: expect.stringMatching(/^proxies\[0\]\.geolocation has no proxy in this Hangar's pool/) },
    });
  });

  it.each<[unknown, RegExp]>([
    [[{ type: 'external', server: 'not a url' }], /^proxies\[0\]\.server must be a proxy URL/],
    [[{ type: 'external' }], /^proxies\[0\]\.server is required/],
    [[{ type: 'tor' }], /^proxies\[0\]\.type must be one of browserbase, external, none/],
    [[{ type: 'browserbase', geolocation: { country: 'XX' } }], /^proxies\[0\]\.geolocation\.country must be a two-letter ISO 3166-1/],
    [[{ type: 'browserbase', geolocation: { country: 'GB', state: 'CA' } }], /^proxies\[0\]\.geolocation\.state is only for country US/],
    [[{ type: 'none', domainPattern: '(.*)' }], /^proxies\[0\]\.domainPattern must be a host name/],
  ])('proxies %j → 400 naming the field', async (proxies, message) => {
    const res = await api(t.stack, 'POST', '/v1/sessions', { proxies });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });
});

import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { Builder, By, type WebDriver } from 'selenium-webdriver';
import { commandLine, processesMatching } from '@hangar/chromium';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

/*
 * `seleniumRemoteUrl` with the official `selenium-webdriver` client, the way Browserbase's docs
 * connect it (an http.Agent that adds `x-bb-signing-key` to every request): get, findElement,
 * click, executeScript, takeScreenshot, cookies and quit against a page on loopback; quit releases
 * a session without keepAlive and leaves a keepAlive one running; the refusals (401 without the
 * right key, 404 for another project's session); and the fence around each session's chromedriver:
 * a page of another session cannot drive it, and it is gone once its session ends.
 */

type Created = Awaited<ReturnType<Browserbase['sessions']['create']>>;

/** The Browserbase docs' way: every request of the driver carries the session's signing key. */
function signedAgent(headers: Record<string, string>): http.Agent {
  const agent = new http.Agent({ keepAlive: true });
  const addRequest = (agent as unknown as { addRequest: (req: http.ClientRequest, options: unknown) => void }).addRequest.bind(agent);
  (agent as unknown as { addRequest: (req: http.ClientRequest, options: unknown) => void }).addRequest = (req, options) => {
    for (const [k, v] of Object.entries(headers)) req.setHeader(k, v);
    addRequest(req, options);
  };
  return agent;
}

const driverFor = (session: Created, capabilities: Record<string, unknown> = {}): Promise<WebDriver> =>
  new Builder()
    .forBrowser('chrome')
    .withCapabilities({ browserName: 'chrome', ...capabilities })
    .usingHttpAgent(signedAgent({ 'x-bb-signing-key': session.signingKey }))
    .usingServer(session.seleniumRemoteUrl)
    .build() as unknown as Promise<WebDriver>;

/** This stack's chromedrivers: pid, URL base (from its command line) and listening port. */
function chromedrivers(dataDir: string): { pid: number; urlBase: string; port: number }[] {
  const listening = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  return processesMatching('--url-base=')
    .map((pid) => ({ pid, cmd: commandLine(pid) ?? '' }))
    .filter(({ cmd }) => cmd.includes('chromedriver') && cmd.includes(dataDir))
    .map(({ pid, cmd }) => ({
      pid,
      urlBase: /--url-base=(\S+)/.exec(cmd)![1]!,
      port: Number(new RegExp(`127\\.0\\.0\\.1:(\\d+)\\s.*pid=${pid},`).exec(listening)?.[1] ?? 0),
    }));
}

describe('WebDriver at seleniumRemoteUrl', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'from-site=1; Path=/' })
        .end('<title>webdriver</title><button id="b" onclick="document.title = \'clicked\'">click me</button><p class="p">one</p><p class="p">two</p>');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/page`;
    t = await startTestStack({ concurrency: 4 });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => site?.close(r));
    // No chromedriver outlives the stack.
    expect(chromedrivers(t.dataDir)).toEqual([]);
  });

  it('drives the session’s own browser: get, findElement, click, executeScript, takeScreenshot, cookies; quit releases it', async () => {
    const session = await bb.sessions.create({});
    expect(session.seleniumRemoteUrl).toBe(`${t.stack.apiUrl}/webdriver`);
    // What a client asks of the browser is not its to choose: it gets the session's.
    const driver = await driverFor(session, { 'goog:chromeOptions': { binary: '/bin/false', args: ['--remote-allow-origins=*'], debuggerAddress: '127.0.0.1:1' } });
    const caps = await driver.getCapabilities();
    expect(caps.get('goog:chromeOptions')?.debuggerAddress).toBeUndefined();
    // chromedriver names no CDP socket of a browser it attached to; were it to, it would be the connectUrl.
    expect([undefined, session.connectUrl]).toContain(caps.get('se:cdp'));
    expect(JSON.stringify(caps)).not.toMatch(/127\.0\.0\.1/);

    await driver.get(siteUrl);
    expect(await driver.getTitle()).toBe('webdriver');
    await driver.findElement(By.id('b')).click();
    expect(await driver.getTitle()).toBe('clicked');
    expect((await driver.findElements(By.css('.p'))).length).toBe(2);
    expect(await driver.executeScript('return arguments[0] + 2 + document.querySelectorAll("p").length', 1)).toBe(5);
    const png = Buffer.from(await driver.takeScreenshot(), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    await driver.manage().addCookie({ name: 'added', value: 'by-selenium' });
    expect((await driver.manage().getCookie('added'))?.value).toBe('by-selenium');
    expect((await driver.manage().getCookies()).map((c) => c.name).sort()).toEqual(['added', 'from-site']);
    await driver.manage().deleteCookie('added');
    expect((await driver.manage().getCookies()).map((c) => c.name)).toEqual(['from-site']);

    // A WebDriver session is a client of the session as a CDP socket is: a CDP client coming and
    // going does not end a session without keepAlive while WebDriver still drives it.
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    expect(await Promise.all((await browser.pages()).map((p) => p.title()))).toContain('clicked');
    await browser.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    expect((await api(t.stack, 'GET', `/v1/sessions/${session.id}`)).body.status).toBe('RUNNING');
    expect(await driver.getTitle()).toBe('clicked');

    expect(chromedrivers(t.dataDir)).toHaveLength(1);
    await driver.quit();
    await eventually(() => api(t.stack, 'GET', `/v1/sessions/${session.id}`), (r) => r.body.status === 'COMPLETED', 10_000);
    await eventually(() => chromedrivers(t.dataDir), (d) => d.length === 0, 5_000);
  }, 60_000);

  it('quit of a keepAlive session ends the WebDriver session only; session-id + x-bb-api-key work too', async () => {
    const session = await bb.sessions.create({ keepAlive: true });
    const driver = await new Builder()
      .forBrowser('chrome')
      .usingHttpAgent(signedAgent({ 'session-id': session.id, 'x-bb-api-key': t.stack.apiKey }))
      .usingServer(session.seleniumRemoteUrl)
      .build();
    await driver.get(siteUrl);
    await driver.findElement(By.id('b')).click();
    // The very browser of the session: what CDP sees through connectUrl is what WebDriver did.
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    expect(await Promise.all((await browser.pages()).map((p) => p.title()))).toContain('clicked');
    await browser.disconnect();
    const wdSession = (await driver.getSession()).getId();
    await driver.quit();
    const after = await api(t.stack, 'GET', `/v1/sessions/${session.id}`);
    expect(after.body.status).toBe('RUNNING');
    // That WebDriver session is over; the browser session is not.
    const stale = await fetch(`${session.seleniumRemoteUrl}/session/${wdSession}/title`, { headers: { 'x-bb-signing-key': session.signingKey } });
    expect(stale.status).toBe(404);
    expect((await stale.json()).value.error).toBe('invalid session id');
    const again = await driverFor(session);
    await again.get(siteUrl);
    expect(await again.getTitle()).toBe('webdriver');
    await bb.sessions.update(session.id, { status: 'REQUEST_RELEASE' });
    await eventually(() => chromedrivers(t.dataDir), (d) => d.length === 0, 5_000);
  }, 60_000);

  it('refuses without the right key (401) and another project’s session (404), W3C-shaped', async () => {
    const session = await bb.sessions.create({});
    const url = `${session.seleniumRemoteUrl}/session`;
    const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ capabilities: {} }) });
    const refused: Record<string, string>[] = [{}, { 'x-bb-signing-key': `${session.id}.AAAA` }, { 'x-bb-api-key': t.stack.apiKey }, { 'session-id': session.id, 'x-bb-api-key': 'not-a-key' }];
    for (const headers of refused) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      expect((await res.json()).value).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    const other = await t.stack.seedProject({ concurrency: 1, name: 'Other webdriver' });
    const stranger = await post({ 'session-id': session.id, 'x-bb-api-key': other.apiKey });
    expect(stranger.status).toBe(404);
    expect((await stranger.json()).value.error).toBe('invalid session id');
    // Nothing reached a node: no chromedriver was started for any of these.
    expect(chromedrivers(t.dataDir)).toEqual([]);
    // Commands that would bypass the CDP guard or reach the host are refused.
    const driver = await driverFor(session);
    const id = (await driver.getSession()).getId();
    const cdp = await fetch(`${session.seleniumRemoteUrl}/session/${id}/goog/cdp/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bb-signing-key': session.signingKey },
      body: JSON.stringify({ cmd: 'Browser.setDownloadBehavior', params: { behavior: 'allow', downloadPath: '/' } }),
    });
    expect(cdp.status).toBe(400);
    await expect(driver.get('file:///etc/passwd')).rejects.toThrow(/local to the host/);
    await driver.quit();
  }, 60_000);

  it('a page of another session cannot drive a session’s chromedriver; it dies with its session', async () => {
    const before = new Set(chromedrivers(t.dataDir).map((d) => d.pid));
    const victim = await bb.sessions.create({});
    const driver = await driverFor(victim);
    await driver.get(siteUrl);
    const [cd] = chromedrivers(t.dataDir).filter((d) => !before.has(d.pid));
    expect(cd!.port).toBeGreaterThan(0);
    const sessionsOf = async () => (await (await fetch(`http://127.0.0.1:${cd!.port}${cd!.urlBase}/sessions`)).json()).value as unknown[];
    expect(await sessionsOf()).toHaveLength(1);

    const attacker = await bb.sessions.create({});
    const browser = await puppeteer.connect({ browserWSEndpoint: attacker.connectUrl });
    const [page] = await browser.pages();
    await page!.goto(siteUrl);
    // From the page: the port without the URL base, and the root. A simple POST (no preflight) is what a page can send.
    const tried = await page!.evaluate(async (port: number) => {
      const out: string[] = [];
      for (const path of ['/session', '/status', '/sessions', '/wd/hub/session']) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: path.endsWith('session') ? 'POST' : 'GET', mode: 'no-cors', body: path.endsWith('session') ? '{"capabilities":{}}' : undefined });
          out.push(`${path}:${res.type}`);
        } catch (err) {
          out.push(`${path}:${String(err)}`);
        }
      }
      return out;
    }, cd!.port);
    expect(tried).toHaveLength(4);
    // It created nothing and the victim's WebDriver session is untouched.
    expect(await sessionsOf()).toHaveLength(1);
    expect(await driver.getTitle()).toBe('webdriver');
    void browser.disconnect();

    await bb.sessions.update(victim.id, { status: 'REQUEST_RELEASE' });
    await eventually(() => chromedrivers(t.dataDir).filter((d) => d.pid === cd!.pid), (d) => d.length === 0, 5_000);
    await bb.sessions.update(attacker.id, { status: 'REQUEST_RELEASE' });
  }, 60_000);
});

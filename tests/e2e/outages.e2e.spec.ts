import net from 'node:net';
import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

// NATS and Postgres taken down under a live session and brought back: services recover by
// themselves, clients get fast retryable errors meanwhile, and live CDP connections never notice.
describe('infrastructure outages', () => {
  let t: TestStack;
  let bb: Browserbase;

  beforeAll(async () => {
    t = await startTestStack({
      concurrency: 5,
      // Keepalive on a short clock: ping after 300 ms of client silence, cut after 1.5 s.
      env: { gateway: { HANGAR_COMMAND_TIMEOUT_MS: '3000', HANGAR_WS_PING_INTERVAL_MS: '300', HANGAR_WS_IDLE_TIMEOUT_MS: '1500' } },
    });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('cuts a client that vanished without a close frame, ending its session; a quiet live client stays', async () => {
    const quiet = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const browser = await puppeteer.connect({ browserWSEndpoint: quiet.connectUrl });
    const gone = await bb.sessions.create({ projectId: t.stack.projectId });
    // A client that completes the handshake and then never sends a byte, not even a pong: what a
    // crashed laptop or a dropped NAT mapping looks like from here.
    const url = new URL(gone.connectUrl);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const head = await new Promise<string>((resolve) => socket.once('data', (b) => resolve(b.toString('latin1'))));
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    socket.on('data', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await eventually(() => bb.sessions.retrieve(gone.id), (s) => s.status === 'COMPLETED', 10_000, 100);
    await closed;
    // The Puppeteer client answers pings, so idling through several timeouts changes nothing.
    await new Promise((r) => setTimeout(r, 3_500));
    expect(browser.connected).toBe(true);
    expect((await bb.sessions.retrieve(quiet.id)).status).toBe('RUNNING');
    await browser.disconnect();
    await bb.sessions.update(quiet.id, { status: 'REQUEST_RELEASE' });
  });

  it('rides out a NATS restart: creates fail with 503 meanwhile, the live session keeps working, everything reconnects', async () => {
    const live = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const browser = await puppeteer.connect({ browserWSEndpoint: live.connectUrl });
    const [page] = await browser.pages();
    const leaving = await bb.sessions.create({ projectId: t.stack.projectId });
    const leaver = await puppeteer.connect({ browserWSEndpoint: leaving.connectUrl });

    await t.stack.nats!.stop();
    const during = await api(t.stack, 'POST', '/v1/sessions', {});
    expect(during.status).toBe(503);
    expect(await page!.evaluate(() => 6 * 7)).toBe(42);
    // A session that ends while NATS is down: its node retries recording the end.
    await leaver.disconnect();
    await new Promise((r) => setTimeout(r, 1_500));

    await t.stack.nats!.start();
    await eventually(() => bb.sessions.retrieve(leaving.id), (s) => s.status === 'COMPLETED', 20_000, 250);
    const after = await eventually(() => api(t.stack, 'POST', '/v1/sessions', {}), (r) => r.status === 201, 30_000, 250);
    // The projector resumed too: the new session reaches the read model.
    await eventually(() => api(t.stack, 'GET', '/v1/sessions?status=RUNNING'), (r) => r.body.some((s: { id: string }) => s.id === after.body.id), 15_000);
    expect(await page!.evaluate(() => document.readyState)).toBe('complete');
    await browser.disconnect();
    for (const id of [live.id, after.body.id]) expect((await api(t.stack, 'POST', `/v1/sessions/${id}`, { status: 'REQUEST_RELEASE' })).body.status).toBe('COMPLETED');
  });

  it('rides out Postgres going down: reads fail fast with 503, readiness says so, CDP keeps working, all recover', async () => {
    // Right after the NATS outage the scheduler may still be re-taking its lease: 503 is the
    // retryable answer the SDK retries; wait for a 201 like it would.
    const live = (await eventually(() => api(t.stack, 'POST', '/v1/sessions', { keepAlive: true }), (r) => r.status === 201, 15_000, 250)).body;
    const browser = await puppeteer.connect({ browserWSEndpoint: live.connectUrl });
    const [page] = await browser.pages();
    await eventually(() => api(t.stack, 'GET', '/v1/sessions?status=RUNNING'), (r) => r.status === 200 && r.body.some((s: { id: string }) => s.id === live.id));

    await t.stack.postgres!.stop();
    const started = Date.now();
    const list = await api(t.stack, 'GET', '/v1/sessions');
    expect(list.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    const ready = await fetch(`${t.stack.apiUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await page!.evaluate(() => 6 * 7)).toBe(42);

    await t.stack.postgres!.start();
    await eventually(() => fetch(`${t.stack.apiUrl}/readyz`).then((r) => r.status), (s) => s === 200, 20_000, 250);
    await eventually(() => api(t.stack, 'GET', '/v1/sessions'), (r) => r.status === 200, 20_000, 250);
    await browser.disconnect();
    expect((await bb.sessions.update(live.id, { status: 'REQUEST_RELEASE' })).status).toBe('COMPLETED');
    await eventually(() => bb.sessions.retrieve(live.id), (s) => s.status === 'COMPLETED');
  });
});

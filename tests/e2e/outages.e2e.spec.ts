import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

// NATS and Postgres taken down under a live session and brought back: services recover by
// themselves, clients get fast retryable errors meanwhile, and live CDP connections never notice.
describe('infrastructure outages', () => {
  let t: TestStack;
  let bb: Browserbase;

  beforeAll(async () => {
    t = await startTestStack({ concurrency: 5, env: { gateway: { HANGAR_COMMAND_TIMEOUT_MS: '3000' } } });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('rides out a NATS restart: creates fail with 503 meanwhile, the live session keeps working, everything reconnects', async () => {
    const live = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const browser = await puppeteer.connect({ browserWSEndpoint: live.connectUrl });
    const [page] = await browser.pages();

    await t.stack.nats!.stop();
    const during = await api(t.stack, 'POST', '/v1/sessions', {});
    expect(during.status).toBe(503);
    expect(await page!.evaluate(() => 6 * 7)).toBe(42);

    await t.stack.nats!.start();
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

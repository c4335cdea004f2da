import { randomUUID } from 'node:crypto';
import puppeteer, { type Browser } from 'puppeteer-core';
import { findChromium } from '@hangar/chromium';
import { sessionAggregate } from '@hangar/domain';
import { executeCommands, TelemetryLog } from '@hangar/messaging';
import { tempDir } from '@hangar/testing';
import type { RunningGateway } from '../app.factory.js';
import { apiClient } from '../testing/http-client.js';
import { bootGateway, seedProjectRows, startInfra, type Infra, type SeededProject } from '../testing/infra.js';

/*
 * The replay page in the machine's Chromium, with every request outside the gateway refused (a
 * closed network): rrweb-player comes up from what the gateway serves and plays a recording of
 * a hostile page, whose script does not run and whose images learn nothing of the replay URL.
 */
let infra: Infra;
let gateway: RunningGateway;
let project: SeededProject;
let browser: Browser | undefined;

beforeAll(async () => {
  infra = await startInfra();
  gateway = await bootGateway(infra, { HANGAR_ARTIFACT_DIR: tempDir('hangar-replay-artifacts-') });
  project = await seedProjectRows(infra.repos);
});
afterAll(async () => {
  await browser?.close();
  await infra?.stop();
});

/** A page as rrweb serialises it: a text, a script that would flag the viewer, an image elsewhere. */
function hostileSnapshot(sessionId: string, at: number) {
  const el = (id: number, tagName: string, childNodes: unknown[], attributes: Record<string, string> = {}) => ({ type: 2, id, tagName, attributes, childNodes });
  const node = {
    type: 0,
    id: 1,
    childNodes: [
      el(2, 'html', [
        el(3, 'head', []),
        el(4, 'body', [
          el(5, 'h1', [{ type: 3, id: 6, textContent: 'hello from the recorded page' }]),
          el(7, 'script', [{ type: 3, id: 8, textContent: 'window.top.pwned = true; window.pwned = true;' }]),
          el(9, 'img', [], { src: 'http://images.example.test/pixel.png' }),
        ]),
      ]),
    ],
  };
  return [
    { type: 4, timestamp: at, sessionId, data: { href: 'http://shop.example.test/', width: 800, height: 600 } },
    { type: 2, timestamp: at + 1, sessionId, data: { node, initialOffset: { left: 0, top: 0 } } },
    { type: 3, timestamp: at + 500, sessionId, data: { source: 1, positions: [{ x: 10, y: 10, id: 5, timeOffset: 0 }] } },
  ];
}

it('plays a recording from the gateway alone; the recorded script does not run, its image gets no referrer', async () => {
  const sessionId = randomUUID();
  const data = { sessionId, projectId: project.projectId, keepAlive: false, timeoutSeconds: 300, region: 'us-west-2' as const, expiresAt: new Date(Date.now() + 300_000).toISOString(), browserSettings: {} };
  await executeCommands(infra.store, sessionAggregate, sessionId, [{ type: 'Request', data }, { type: 'Schedule', nodeId: 'n1' }, { type: 'Start', nodeId: 'n1', endpoint: 'ws://127.0.0.1:1/x', pid: 1 }], { correlationId: 'replay-it' });
  const telemetry = await TelemetryLog.create(infra.nats.nc);
  await telemetry.publish(sessionId, 'recording', { type: 'recording', events: hostileSnapshot(sessionId, Date.now()) });
  const { body } = await apiClient(gateway.url, project.apiKey)('GET', `/v1/sessions/${sessionId}/replay`);

  const chromePath = findChromium(process.env.CHROME_PATH);
  if (!chromePath) throw new Error('Chromium not found (set CHROME_PATH)');
  browser = await puppeteer.launch({ executablePath: chromePath, headless: true, args: ['--no-sandbox'], userDataDir: tempDir('hangar-replay-browser-') });
  const page = await browser.newPage();
  const origin = new URL(gateway.url).origin;
  const outside: { url: string; referer: string | undefined }[] = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    if (new URL(url).origin === origin || /^(data|blob|about):/.test(url)) return void req.continue();
    outside.push({ url, referer: req.headers().referer });
    void req.abort();
  });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));

  await page.goto(body.url);
  await page.waitForSelector('.rr-player iframe', { timeout: 15_000 });
  const replayed = await page.waitForFrame((frame) => frame !== page.mainFrame(), { timeout: 15_000 });
  await replayed.waitForFunction(() => document.body?.textContent?.includes('hello from the recorded page'), { timeout: 15_000 });
  expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned ?? false)).toBe(false);
  expect(await replayed.evaluate(() => (window as unknown as { pwned?: boolean }).pwned ?? false)).toBe(false);
  // The recorded image was asked for (so the check below means something), without the replay URL.
  expect(outside.map((r) => r.url)).toContain('http://images.example.test/pixel.png');
  for (const request of outside) expect({ url: request.url, referer: request.referer ?? '' }).toEqual({ url: request.url, referer: '' });
  expect(errors).toEqual([]);
}, 90_000);

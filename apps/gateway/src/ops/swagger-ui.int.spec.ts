import puppeteer, { type Browser } from 'puppeteer-core';
import { findChromium } from '@hangar/chromium';
import { tempDir } from '@hangar/testing';
import type { RunningGateway } from '../app.factory.js';
import { bootGateway, startInfra, type Infra } from '../testing/infra.js';

let infra: Infra;
let gateway: RunningGateway;
let browser: Browser | undefined;

beforeAll(async () => {
  infra = await startInfra();
  gateway = await bootGateway(infra);
});
afterAll(async () => {
  await browser?.close();
  await infra?.stop();
});

// The machine's Chromium renders /docs with every request outside the gateway refused: the page
// must come up complete from what the gateway serves, as it would on a machine with no internet.
it('Swagger UI renders the whole document with nothing fetched from outside the gateway', async () => {
  const chromePath = findChromium(process.env.CHROME_PATH);
  if (!chromePath) throw new Error('Chromium not found (set CHROME_PATH)');
  browser = await puppeteer.launch({ executablePath: chromePath, headless: true, args: ['--no-sandbox'], userDataDir: tempDir('hangar-docs-') });
  const page = await browser.newPage();
  const origin = new URL(gateway.url).origin;
  const refused: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (new URL(req.url()).origin === origin || req.url().startsWith('data:')) void req.continue();
    else {
      refused.push(req.url());
      void req.abort();
    }
  });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));

  await page.goto(`${gateway.url}/docs`);
  await page.waitForSelector('.swagger-ui .info .title');
  expect(await page.$eval('.swagger-ui .info .title', (el) => el.textContent)).toContain('Hangar API');
  // One block per documented operation.
  const doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as { paths: Record<string, object> };
  const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item).filter((k) => ['get', 'post', 'put', 'delete'].includes(k)));
  await page.waitForFunction(`document.querySelectorAll('.opblock').length === ${operations.length}`);
  expect(refused).toEqual([]);
  expect(errors).toEqual([]);
}, 60_000);

import type { Page } from 'puppeteer-core';
import { eventually } from '@hangar/testing';
import { firstPage, useNodeFixture } from '../test/node-fixture.js';
import { startIdentitySite, type IdentitySite, type Sighting } from '../test/identity-site.js';
import type { RunningNode } from '../test/node-harness.js';

const fx = useNodeFixture();

interface Sightings {
  page: Sighting;
  worker?: Sighting;
  frame?: Sighting;
  crossFrame?: Sighting;
  touch: boolean;
  screen: [number, number];
}

let site: IdentitySite;
let node: RunningNode;
beforeAll(async () => {
  site = await startIdentitySite();
  // A warm pool: every session here is served by a browser launched before it (the identity is applied over CDP).
  node = await fx.launchNode('id-a', { HANGAR_MAX_SESSIONS: '4', HANGAR_WARM_POOL: '1' });
  await fx.watch(node.nodeId).next((b) => b.warmSlots === 1, 20_000);
});
afterAll(async () => {
  await site?.close();
});

/** The page's, its worker's and both iframes' views of the browser. */
async function visit(page: Page): Promise<Sightings> {
  await page.goto(`${site.origin}/page`, { waitUntil: 'load' });
  return eventually(
    () => page.evaluate(() => (window as unknown as { sightings: Sightings }).sightings),
    (s) => s.worker !== undefined && s.frame !== undefined && s.crossFrame !== undefined,
    10_000,
  );
}

const everywhere = (s: Sightings) => [s.page, s.worker!, s.frame!, s.crossFrame!];

describe('a session\'s identity', () => {
  it('is a browser, not a headless robot, by default: no HeadlessChrome, webdriver false, client hints, the viewport exact', async () => {
    const page = await firstPage((await fx.session(node, {})).browser);
    const seen = await visit(page);
    for (const s of everywhere(seen)) {
      expect(s.userAgent).toMatch(/ Chrome\/\d+\.0\.0\.0 /);
      expect(s.userAgent).not.toContain('Headless');
      expect(s.platform).toMatch(/^Linux /);
      expect(s.uaPlatform).toBe('Linux');
      expect(s.brands!.join()).toMatch(/Chromium\/\d+/);
    }
    expect(await page.evaluate(() => navigator.webdriver)).toBe(false);
    expect(await page.evaluate(() => [innerWidth, innerHeight])).toEqual([1024, 768]);
    const headers = site.seen.filter((r) => r.path === '/page').at(-1)!.headers;
    expect(headers['user-agent']).not.toContain('Headless');
    expect(headers['sec-ch-ua']).toMatch(/"Chromium";v="\d+"/);
    expect(headers['sec-ch-ua-platform']).toBe('"Linux"');
  });

  it('follows os and viewport in pages, workers, iframes (out-of-process too), popups and headers', async () => {
    const { browser } = await fx.session(node, { os: 'windows', viewport: { width: 1366, height: 768 } });
    const page = await firstPage(browser);
    const seen = await visit(page);
    for (const s of everywhere(seen)) {
      expect(s.userAgent).toContain('(Windows NT 10.0; Win64; x64)');
      expect(s.platform).toBe('Win32');
      expect(s.uaPlatform).toBe('Windows');
      expect(s.mobile).toBe(false);
      expect(s.hardwareConcurrency).toBe(seen.page.hardwareConcurrency);
    }
    expect(await page.evaluate(() => [innerWidth, innerHeight])).toEqual([1366, 768]);
    expect(seen.screen[0]).toBeGreaterThanOrEqual(1366);
    expect(seen.screen[1]).toBeGreaterThanOrEqual(768);
    expect(seen.touch).toBe(false);
    const high = await page.evaluate(() => (navigator as unknown as { userAgentData: { getHighEntropyValues(h: string[]): Promise<Record<string, unknown>> } }).userAgentData.getHighEntropyValues(['platformVersion', 'formFactors']));
    expect(high).toMatchObject({ platform: 'Windows', formFactors: ['Desktop'] });
    await eventually(() => site.seen.filter((r) => r.path === '/page').at(-1)!.headers['sec-ch-ua-platform'], (p) => p === '"Windows"', 5_000);

    // A popup is another window: sized to the viewport too.
    const popupTarget = browser.waitForTarget((t) => t.url().endsWith('/plain-popup'));
    await page.evaluate((url) => void window.open(url, '_blank', 'popup,width=500,height=400'), `${site.origin}/plain-popup`);
    const popup = (await (await popupTarget).page())!;
    await eventually(() => popup.evaluate(() => [innerWidth, innerHeight, navigator.platform]), (v) => v[0] === 1366 && v[1] === 768 && v[2] === 'Win32', 10_000);
  });

  it('is a touch handheld for os mobile, sized to its screen', async () => {
    const page = await firstPage((await fx.session(node, { os: 'mobile' })).browser);
    const seen = await visit(page);
    for (const s of everywhere(seen)) {
      expect(s.userAgent).toMatch(/Android .* Mobile Safari\//);
      expect(s.uaPlatform).toBe('Android');
      expect(s.mobile).toBe(true);
      expect(s.platform).toMatch(/^Linux (armv|aarch)/);
    }
    expect(seen.touch).toBe(true);
    expect(await page.evaluate(() => navigator.maxTouchPoints)).toBeGreaterThan(0);
    expect(await page.evaluate(() => [innerWidth, innerHeight])).toEqual(seen.screen);
  });
});
